package main

import (
	"context"
	"fmt"

	"xfwatch/refdata"
)

func init() {
	register("refdata", "reference data: `refdata load` loads regions, units and sensitive periods", runRefdata)
}

func runRefdata(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		return usagef("say `xfwatch refdata load --clickhouse DSN [--regions F] [--villages F] [--units F] [--periods F]`")
	}
	fs := newFlags("refdata", "refdata load --clickhouse DSN [--regions F] [--villages F] [--units F] [--periods F] [--city F]")
	dsn := fs.String("clickhouse", "", "warehouse DSN, e.g. http://127.0.0.1:8123/default")
	var files refdata.Files
	fs.StringVar(&files.Regions, "regions", "", "regions CSV/YAML: code,name,level,parent,population (default: 兰州市)")
	fs.StringVar(&files.Villages, "villages", "", "village codes CSV/YAML: code,name,township (default: 兰州市)")
	fs.StringVar(&files.Units, "units", "", "units CSV/YAML: code,name,kind,region,level,parent (default: 兰州市)")
	fs.StringVar(&files.Periods, "periods", "", "sensitive periods CSV/YAML: name,start,end,zero_report_required,threshold_factor,region")
	fs.StringVar(&files.City, "city", "", "city YAML: code, name, province, map (default: 兰州市)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := need(fs, "clickhouse", *dsn, "http://127.0.0.1:8123/default"); err != nil {
		return err
	}
	set, err := refdata.Read(files)
	if err != nil {
		return usageError{err}
	}
	db, err := openWarehouse(ctx, *dsn, "")
	if err != nil {
		return err
	}
	defer db.Close()
	reports, err := refdata.Load(ctx, db, set)
	if err != nil {
		return err
	}
	for _, r := range reports {
		state := "unchanged"
		if r.Changed {
			state = "replaced"
		}
		fmt.Printf("%-18s %6d rows  %s\n", r.Table, r.Rows, state)
	}
	return nil
}
