package ingest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"xfwatch/refdata"
)

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai)

func testDecoder(t testing.TB) *Decoder {
	t.Helper()
	set, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	keyer, err := NewKeyer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return &Decoder{Ref: NewReference(set), Keyer: keyer, Now: func() time.Time { return testNow }}
}

// validID makes a checksum-correct ID number from 17 digits.
func validID(first17 string) string { return first17 + string(IDCheckChar(first17)) }

const id17 = "62010219800101123"

func petitionJSON(mod func(m map[string]any)) []byte {
	m := map[string]any{
		"case_id": "XF-2026-0001", "received_at": "2026-11-20T09:30:00+08:00", "channel": "visit",
		"receiving_level": "county", "origin_region": "620102001", "category": "demolition", "headcount": 2,
		"abnormal": false, "responsible_unit": "G620102", "subject": "拆迁补偿，电话13912345678",
		"content":       "张三反映拆迁补偿问题，身份证" + validID(id17) + "。",
		"petitioner":    map[string]any{"id_number": validID(id17), "phone": "13912345678", "name": "张三"},
		"unknown_field": "kept out of the warehouse",
	}
	if mod != nil {
		mod(m)
	}
	b, _ := json.Marshal(m)
	return b
}

func TestValidPetition(t *testing.T) {
	d := testDecoder(t)
	row, rej := d.Decode(KindPetition, petitionJSON(nil))
	if rej != nil {
		t.Fatal(rej)
	}
	if row.ID != "XF-2026-0001" || row.County != "620102" || row.Township != "620102001" || row.Headcount != 2 ||
		row.KeyKind != "id" || len(row.Key) != 64 || !row.At.Equal(time.Date(2026, 11, 20, 9, 30, 0, 0, shanghai)) {
		t.Fatalf("row %+v", row)
	}
	for _, s := range []string{row.Subject, row.Text} {
		if strings.Contains(s, "13912345678") || strings.Contains(s, validID(id17)) || strings.Contains(s, "张三") {
			t.Fatalf("PII left in %q", s)
		}
	}
	// The same person keys the same, with or without the phone; another
	// differs.
	same, _ := d.Decode(KindPetition, petitionJSON(func(m map[string]any) {
		m["petitioner"] = map[string]any{"id_number": strings.ToLower(validID(id17))}
	}))
	other, _ := d.Decode(KindPetition, petitionJSON(func(m map[string]any) {
		m["petitioner"] = map[string]any{"id_number": validID("62010219800101124")}
	}))
	if same.Key != row.Key || other.Key == row.Key {
		t.Fatal("keys do not follow the person")
	}
}

func TestPetitionRejections(t *testing.T) {
	d := testDecoder(t)
	f := func(mod func(m map[string]any), stage, field, rule string) {
		t.Helper()
		_, rej := d.Decode(KindPetition, petitionJSON(mod))
		if rej == nil {
			t.Errorf("accepted; want %s %s", field, rule)
			return
		}
		if rej.Stage != stage || rej.Field != field || !strings.Contains(rej.Rule, rule) {
			t.Errorf("got %s/%s %q, want %s/%s containing %q", rej.Stage, rej.Field, rej.Rule, stage, field, rule)
		}
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	del := func(k string) func(map[string]any) { return func(m map[string]any) { delete(m, k) } }
	f(del("case_id"), StageValidate, "case_id", "is required")
	f(set("case_id", "XF 1"), StageValidate, "case_id", "may hold only")
	f(set("case_id", strings.Repeat("a", 65)), StageValidate, "case_id", "longer than 64")
	f(set("received_at", "2026-11-20 09:30"), StageValidate, "received_at", "RFC 3339")
	f(set("received_at", "2026-11-20T09:30:00"), StageValidate, "received_at", "RFC 3339")
	f(set("received_at", "1999-12-31T23:00:00+08:00"), StageValidate, "received_at", "before 2000-01-01")
	f(set("received_at", "2026-11-27T10:11:00+08:00"), StageValidate, "received_at", "10 minutes in the future")
	f(set("channel", "pigeon"), StageValidate, "channel", `"pigeon" is not one of`)
	f(set("receiving_level", ""), StageValidate, "receiving_level", "is required")
	f(set("origin_region", "620199"), StageValidate, "origin_region", "not in the region table")
	f(set("origin_region", "62010"), StageValidate, "origin_region", "6-digit county")
	f(set("category", "aliens"), StageValidate, "category", "not one of")
	f(set("headcount", 0), StageValidate, "headcount", "1 to 10000")
	f(set("headcount", 10001), StageValidate, "headcount", "1 to 10000")
	f(set("headcount", "two"), StageDecode, "headcount", "must be a whole number")
	f(set("abnormal", "yes"), StageDecode, "abnormal", "must be true or false")
	f(set("responsible_unit", "NOPE"), StageValidate, "responsible_unit", "not in the unit table")
	f(set("subject", strings.Repeat("字", 201)), StageValidate, "subject", "longer than 200")
	f(set("content", strings.Repeat("字", 20001)), StageValidate, "content", "longer than 20000")
	f(del("petitioner"), StageValidate, "petitioner", "is required")
	f(set("petitioner", map[string]any{}), StageValidate, "petitioner", "at least one of")
	f(set("petitioner", map[string]any{"id_number": id17 + "0"}), StageValidate, "petitioner.id_number", "check character")
	f(set("petitioner", map[string]any{"id_number": "620102198013011230"}), StageValidate, "petitioner.id_number", "birth date")
	f(set("petitioner", map[string]any{"id_number": "6201021980010"}), StageValidate, "petitioner.id_number", "18 characters")
	f(set("petitioner", map[string]any{"phone": "12345"}), StageValidate, "petitioner.phone", "7 to 12 digits")
	f(set("petitioner", map[string]any{"phone": "call me"}), StageValidate, "petitioner.phone", "only digits")
	f(set("petitioner", map[string]any{"phone": 13912345678}), StageDecode, "petitioner.phone", "must be a string")
	f(set("petitioner", "张三"), StageDecode, "petitioner", "must be an object")
	f(set("case_id", 12), StageDecode, "case_id", "must be a string")
	// The limits count characters, not bytes: 200 Chinese characters (600
	// bytes) and 200 ASCII ones are a subject at the limit.
	for _, subject := range []string{strings.Repeat("字", 200), strings.Repeat("a", 200)} {
		if _, rej := d.Decode(KindPetition, petitionJSON(set("subject", subject))); rej != nil {
			t.Errorf("a subject of %d bytes at the 200-character limit: %v", len(subject), rej)
		}
	}
}

func TestRawRejections(t *testing.T) {
	d := testDecoder(t)
	f := func(k Kind, value, stage, rule string) {
		t.Helper()
		_, rej := d.Decode(k, []byte(value))
		if rej == nil || rej.Stage != stage || !strings.Contains(rej.Rule, rule) {
			t.Errorf("Decode(%q) = %v, want %s %q", value, rej, stage, rule)
		}
	}
	f(KindPetition, "not json", StageDecode, "one JSON object")
	f(KindPetition, `{"case_id": "x",`, StageDecode, "invalid JSON")
	f(KindPetition, "[1,2]", StageDecode, "one JSON object")
	f(KindPetition, "{\"case_id\": \"\xff\"}", StageDecode, "UTF-8")
	d.MaxBytes = 100
	f(KindPetition, string(petitionJSON(nil)), StageSize, "more than the 100 allowed")
}

func TestOtherKinds(t *testing.T) {
	d := testDecoder(t)
	ok := func(k Kind, s string) Row {
		t.Helper()
		row, rej := d.Decode(k, []byte(s))
		if rej != nil {
			t.Fatalf("%s: %v", s, rej)
		}
		return row
	}
	bad := func(k Kind, s, field, rule string) {
		t.Helper()
		_, rej := d.Decode(k, []byte(s))
		if rej == nil || rej.Field != field || !strings.Contains(rej.Rule, rule) {
			t.Errorf("%s: got %v, want %s %q", s, rej, field, rule)
		}
	}
	h := ok(KindHotline, `{"order_id":"H1","received_at":"2026-11-26T08:00:00Z","channel":"phone","kind":"complaint",
		"region":"620103","category":"wage_arrears","caller":{"phone":"+86 139-1234-5678"},"assigned_unit":"CITY-RSJ","urgent":true}`)
	if h.County != "620103" || h.Township != "" || h.KeyKind != "phone" || !h.Flag {
		t.Fatalf("hotline row %+v", h)
	}
	p, _ := d.Decode(KindPetition, petitionJSON(func(m map[string]any) {
		m["petitioner"] = map[string]any{"phone": "13912345678"}
	}))
	if p.Key != h.Key {
		t.Fatal("the same phone in a petition and an order keys differently")
	}
	bad(KindHotline, `{"order_id":"H1","received_at":"2026-11-26T08:00:00Z","channel":"fax","kind":"complaint"}`, "channel", "not one of")
	e := ok(KindEvent, `{"event_id":"E1","ref_kind":"petition","ref":"XF-1","at":"2026-11-26T08:00:00+08:00","type":"concluded","unit":"G620102","result":"partial","note":"联系人13912345678"}`)
	if e.Result != "partial" || strings.Contains(e.Text, "13912345678") {
		t.Fatalf("event row %+v", e)
	}
	bad(KindEvent, `{"event_id":"E1","ref_kind":"petition","ref":"XF-1","at":"2026-11-26T08:00:00+08:00","type":"concluded","unit":"G620102","result":"resolved"}`, "result", "not one of")
	bad(KindEvent, `{"event_id":"E1","ref_kind":"petition","ref":"XF-1","at":"2026-11-26T08:00:00+08:00","type":"evaluated","unit":"G620102"}`, "satisfaction", "is required")
	bad(KindEvent, `{"event_id":"E1","ref_kind":"case","ref":"XF-1","at":"2026-11-26T08:00:00+08:00","type":"accepted","unit":"G620102"}`, "ref_kind", "not one of")
	u := ok(KindUnitReport, `{"report_id":"R1","unit":"G620102001","day":"2026-11-26","submitted_at":"2026-11-26T18:00:00+08:00","incidents":0}`)
	if u.Incidents != 0 || u.Day.Format(time.DateOnly) != "2026-11-26" {
		t.Fatalf("report row %+v", u)
	}
	bad(KindUnitReport, `{"report_id":"R1","unit":"G620102001","day":"2026-11-26","submitted_at":"2026-11-26T18:00:00+08:00"}`, "incidents", "零报告")
	bad(KindUnitReport, `{"report_id":"R1","unit":"G620102001","day":"26/11/2026","submitted_at":"2026-11-26T18:00:00+08:00","incidents":1}`, "day", "YYYY-MM-DD")
}

func TestRedact(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := Redact(in, "李四"); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	f("无号码的文字", "无号码的文字")
	f("电话13912345678。", "电话"+RedactedPhone+"。")
	f("电话139-1234-5678", "电话"+RedactedPhone)
	f("座机0931-8123456", "座机"+RedactedPhone)
	f("身份证62010219800101123X", "身份证"+RedactedID)
	f("李四说", RedactedName+"说")
	f("案号XF20261127000123456789", "案号XF20261127000123456789")
}

func FuzzDecode(f *testing.F) {
	d := testDecoder(f)
	f.Add(uint8(0), string(petitionJSON(nil)))
	f.Add(uint8(1), `{"order_id":"H1","received_at":"2026-11-26T08:00:00Z","channel":"phone","kind":"complaint","region":"620103","category":"other","caller":{"name":"王五"},"assigned_unit":"CITY-RSJ"}`)
	f.Add(uint8(2), `{"event_id":"E1","ref_kind":"petition","ref":"XF-1","at":"2026-11-26T08:00:00+08:00","type":"evaluated","unit":"G620102","satisfaction":"basic"}`)
	f.Add(uint8(3), `{"report_id":"R1","unit":"G620102001","day":"2026-11-26","submitted_at":"2026-11-26T18:00:00+08:00","incidents":3}`)
	f.Add(uint8(0), `{"headcount": 1e400}`)
	f.Fuzz(func(t *testing.T, kind uint8, value string) {
		k := Kinds[int(kind)%len(Kinds)]
		row, rej := d.Decode(k, []byte(value))
		if rej != nil {
			if rej.Rule == "" || rej.Stage == "" {
				t.Fatalf("reject without a reason: %+v", rej)
			}
			return
		}
		if row.ID == "" || row.At.IsZero() {
			t.Fatalf("accepted a row without id or time: %+v", row)
		}
		if k == KindPetition || k == KindHotline {
			if len(row.Key) != 64 || row.County == "" {
				t.Fatalf("accepted a row without key or county: %+v", row)
			}
		}
	})
}

// BenchmarkDecodePetition: one ~400-byte petition decoded, validated,
// pseudonymised and redacted (the CPU per record that bounds ingest on two
// cores; see BENCHMARKS.md).
func BenchmarkDecodePetition(b *testing.B) {
	d := testDecoder(b)
	v := petitionJSON(nil)
	b.SetBytes(int64(len(v)))
	b.ReportAllocs()
	for b.Loop() {
		if _, rej := d.Decode(KindPetition, v); rej != nil {
			b.Fatal(rej)
		}
	}
}

// The number patterns of redact.go as regular expressions: the reference.
var (
	idNumberRE = regexp.MustCompile(`(^|[^0-9])([1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])`)
	mobileRE   = regexp.MustCompile(`(^|[^0-9])((\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4})`)
	landlineRE = regexp.MustCompile(`(^|[^0-9])(0\d{2,3}-\d{7,8})`)
)

// TestRedactSpansEqualWholeText: the hand-written matchers, applied to runs
// of number-like characters, give what the regular expressions applied to
// the whole text give.
func TestRedactSpansEqualWholeText(t *testing.T) {
	whole := func(text string) string {
		text = idNumberRE.ReplaceAllString(text, "${1}"+RedactedID)
		text = mobileRE.ReplaceAllString(text, "${1}"+RedactedPhone)
		return landlineRE.ReplaceAllString(text, "${1}"+RedactedPhone)
	}
	parts := []string{"电话", "13912345678", " ", "-", "+86 ", "0931-8123456", validID(id17), "X", "x", "12", "号", "A", "139 1234 5678", "2026", "XF2026110800028", "，",
		"86", "+", "8", "0", "1", "13", "139-1234-5678", "0931-", "1234567", "19900101", "620102", "3", "+8613912345678", "01-"}
	rng := uint64(7)
	for range 300000 {
		var b strings.Builder
		for range 1 + int(rng%9) {
			rng = rng*6364136223846793005 + 1442695040888963407
			b.WriteString(parts[(rng>>33)%uint64(len(parts))])
		}
		text := b.String()
		if got, want := redactNumbers(text), whole(text); got != want {
			t.Fatalf("redactNumbers(%q) = %q, the whole-text patterns give %q", text, got, want)
		}
	}
}

// TestDecodeAtTakesTheCallersClock: the birth date of an ID number is
// checked against the clock the caller gives (the consumer reads it once a
// fetch), as a record's times are.
func TestDecodeAtTakesTheCallersClock(t *testing.T) {
	d := testDecoder(t)
	born2010 := petitionJSON(func(m map[string]any) {
		m["petitioner"] = map[string]any{"id_number": validID("62010220100101123")}
		m["received_at"] = "2009-12-31T09:30:00+08:00"
		delete(m, "content")
	})
	if _, rej := d.DecodeAt(KindPetition, born2010, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); rej != nil {
		t.Fatalf("born 2010, decoded in 2026: %v", rej)
	}
	_, rej := d.DecodeAt(KindPetition, born2010, time.Date(2009, 12, 31, 12, 0, 0, 0, time.UTC))
	if rej == nil || rej.Field != "petitioner.id_number" || !strings.Contains(rej.Rule, "real birth date") {
		t.Fatalf("born 2010, decoded in 2009: %v, want the birth date rejected", rej)
	}
}
