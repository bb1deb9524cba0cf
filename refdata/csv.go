package refdata

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// decodeCSV reads a header row and then one struct per row into *[]T,
// matching columns to the fields' yaml names. Unknown columns are an error,
// so a typo in a header does not silently drop a field.
func decodeCSV(r io.Reader, into any) error {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	slice := reflect.ValueOf(into).Elem()
	elem := slice.Type().Elem()
	fields := map[string]int{}
	for i := 0; i < elem.NumField(); i++ {
		fields[strings.Split(elem.Field(i).Tag.Get("yaml"), ",")[0]] = i
	}
	index := make([]int, len(header))
	for i, h := range header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		f, ok := fields[h]
		if !ok {
			return fmt.Errorf("unknown column %q (expected some of %s)", h, strings.Join(keys(fields), ", "))
		}
		index[i] = f
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		v := reflect.New(elem).Elem()
		for i, cell := range rec {
			f := v.Field(index[i])
			if err := setField(f, strings.TrimSpace(cell)); err != nil {
				return fmt.Errorf("line %d column %s: %w", line, header[i], err)
			}
		}
		slice.Set(reflect.Append(slice, v))
	}
}

func setField(f reflect.Value, s string) error {
	switch f.Interface().(type) {
	case Date:
		d, err := ParseDate(s)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Uint32:
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.SetUint(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.SetFloat(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported field kind %s", f.Kind())
	}
	return nil
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
