package ingest

import (
	"bytes"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"strings"
	"time"
	"unicode/utf8"
)

// Stages at which a record can be rejected; they go into the DLQ header.
const (
	StageSize     = "size"
	StageDecode   = "decode"
	StageValidate = "validate"
)

// Reject says why a record was refused: the stage, the field and the rule.
type Reject struct {
	Stage string
	Field string
	Rule  string
}

func (r *Reject) Error() string {
	if r.Field == "" {
		return r.Stage + ": " + r.Rule
	}
	return "field " + r.Field + ": " + r.Rule
}

func reject(field, rule string) *Reject {
	return &Reject{Stage: StageValidate, Field: field, Rule: rule}
}

// DefaultMaxRecordBytes is the largest record accepted (SPEC 3.6).
const DefaultMaxRecordBytes = 1 << 20

// earliest is the first instant a record may carry.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, shanghai)

// maxFuture is how far ahead of the consumer's clock a time may be.
const maxFuture = 10 * time.Minute

// Decoder validates and pseudonymises records.
type Decoder struct {
	Ref      *Reference
	Keyer    *Keyer
	MaxBytes int              // 0: DefaultMaxRecordBytes
	Now      func() time.Time // nil: time.Now
}

// Decode turns one Kafka message value into a warehouse row, or says why not.
func (d *Decoder) Decode(k Kind, value []byte) (Row, *Reject) {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	return d.DecodeAt(k, value, now())
}

// DecodeAt is Decode with the clock read by the caller: the consumer reads
// it once a fetch, not once a record (time.Now took about 100 ns a call on
// this machine, twice a record with the birth-date check's: 2.5 % of the
// consumer's CPU profile; the 10 minutes a time may be ahead dwarf a
// fetch's age).
func (d *Decoder) DecodeAt(k Kind, value []byte, now time.Time) (Row, *Reject) {
	max := d.MaxBytes
	if max == 0 {
		max = DefaultMaxRecordBytes
	}
	if len(value) > max {
		return Row{}, &Reject{Stage: StageSize, Rule: fmt.Sprintf("record is %d bytes, more than the %d allowed", len(value), max)}
	}
	c := check{d: d, now: now, today: dateNumber(now)}
	switch k {
	case KindPetition:
		var in PetitionJSON
		if rej := unmarshal(value, &in); rej != nil {
			return Row{}, rej
		}
		return c.petition(&in)
	case KindHotline:
		var in HotlineJSON
		if rej := unmarshal(value, &in); rej != nil {
			return Row{}, rej
		}
		return c.hotline(&in)
	case KindEvent:
		var in EventJSON
		if rej := unmarshal(value, &in); rej != nil {
			return Row{}, rej
		}
		return c.event(&in)
	default:
		var in UnitReportJSON
		if rej := unmarshal(value, &in); rej != nil {
			return Row{}, rej
		}
		return c.unitReport(&in)
	}
}

func unmarshal(value []byte, into any) *Reject {
	if !utf8.Valid(value) {
		return &Reject{Stage: StageDecode, Rule: "record is not valid UTF-8"}
	}
	trimmed := bytes.TrimSpace(value)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &Reject{Stage: StageDecode, Rule: "record must be one JSON object"}
	}
	if err := json.Unmarshal(value, into); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &Reject{Stage: StageDecode, Field: te.Field, Rule: "must be " + jsonTypeName(te.Type.String()) + ", got a JSON " + te.Value}
		}
		return &Reject{Stage: StageDecode, Rule: "invalid JSON: " + err.Error()}
	}
	return nil
}

func jsonTypeName(goType string) string {
	switch strings.TrimPrefix(goType, "*") {
	case "string":
		return "a string"
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	default:
		return "an object"
	}
}

// check holds one record's validation context.
type check struct {
	d     *Decoder
	now   time.Time
	today int // now's date, dateNumber
}

func (c *check) id(field, v string) *Reject {
	if v == "" {
		return reject(field, "is required")
	}
	if len(v) > 64 {
		return reject(field, "is longer than 64 characters")
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-') {
			return reject(field, "may hold only A-Z, a-z, 0-9, '_' and '-'")
		}
	}
	return nil
}

func (c *check) time(field, v string) (time.Time, *Reject) {
	if v == "" {
		return time.Time{}, reject(field, "is required (RFC 3339 with offset, e.g. 2026-03-04T09:30:00+08:00)")
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, reject(field, "must be RFC 3339 with an offset, e.g. 2026-03-04T09:30:00+08:00")
	}
	if t.Before(earliest) {
		return time.Time{}, reject(field, "is before 2000-01-01")
	}
	if t.After(c.now.Add(maxFuture)) {
		return time.Time{}, reject(field, "is more than 10 minutes in the future: check the producer's clock")
	}
	return t, nil
}

func oneOf(field, v string, allowed map[string]bool, list string) *Reject {
	if v == "" {
		return reject(field, "is required: one of "+list)
	}
	if !allowed[v] {
		return reject(field, fmt.Sprintf("%q is not one of %s", v, list))
	}
	return nil
}

func maxRunes(field, v string, n int) *Reject {
	// A string of at most n bytes has at most n characters: most texts
	// need no count.
	if len(v) > n && utf8.RuneCountInString(v) > n {
		return reject(field, fmt.Sprintf("is longer than %d characters", n))
	}
	return nil
}

func (c *check) petition(in *PetitionJSON) (Row, *Reject) {
	r := Row{Kind: KindPetition, ID: in.CaseID, Channel: in.Channel, Level: in.ReceivingLevel,
		Region: in.OriginRegion, Category: in.Category, Unit: in.ResponsibleUnit, Flag: in.Abnormal}
	var rej *Reject
	if rej = c.id("case_id", in.CaseID); rej != nil {
		return r, rej
	}
	if r.At, rej = c.time("received_at", in.ReceivedAt); rej != nil {
		return r, rej
	}
	if rej = oneOf("channel", in.Channel, PetitionChannels, petitionChannelList); rej != nil {
		return r, rej
	}
	if rej = oneOf("receiving_level", in.ReceivingLevel, Levels, levelList); rej != nil {
		return r, rej
	}
	var rule string
	if r.County, r.Township, rule = c.d.Ref.Region(in.OriginRegion); rule != "" {
		return r, reject("origin_region", rule)
	}
	if rej = oneOf("category", in.Category, Categories, categoryList); rej != nil {
		return r, rej
	}
	r.Headcount = 1
	if in.Headcount != nil {
		if *in.Headcount < 1 || *in.Headcount > 10000 {
			return r, reject("headcount", "must be 1 to 10000")
		}
		r.Headcount = uint16(*in.Headcount)
	}
	if rule = c.d.Ref.Unit(in.ResponsibleUnit); rule != "" {
		return r, reject("responsible_unit", rule)
	}
	if rej = maxRunes("subject", in.Subject, 200); rej != nil {
		return r, rej
	}
	if rej = maxRunes("content", in.Content, 20000); rej != nil {
		return r, rej
	}
	if r.Key, r.KeyKind, rej = c.d.Keyer.key(in.Petitioner, "petitioner", r.County, c.today); rej != nil {
		return r, rej
	}
	name := personName(in.Petitioner)
	r.Subject = Redact(in.Subject, name)
	r.Text, r.TextField = Redact(in.Content, name), "content"
	return r, nil
}

func (c *check) hotline(in *HotlineJSON) (Row, *Reject) {
	r := Row{Kind: KindHotline, ID: in.OrderID, Channel: in.Channel, HotlineKind: in.Kind,
		Region: in.Region, Category: in.Category, Unit: in.AssignedUnit, Flag: in.Urgent, CaseID: in.CaseID}
	var rej *Reject
	if rej = c.id("order_id", in.OrderID); rej != nil {
		return r, rej
	}
	if r.At, rej = c.time("received_at", in.ReceivedAt); rej != nil {
		return r, rej
	}
	if rej = oneOf("channel", in.Channel, HotlineChannels, hotlineChannelList); rej != nil {
		return r, rej
	}
	if rej = oneOf("kind", in.Kind, HotlineKinds, hotlineKindList); rej != nil {
		return r, rej
	}
	var rule string
	if r.County, r.Township, rule = c.d.Ref.Region(in.Region); rule != "" {
		return r, reject("region", rule)
	}
	if rej = oneOf("category", in.Category, Categories, categoryList); rej != nil {
		return r, rej
	}
	if rule = c.d.Ref.Unit(in.AssignedUnit); rule != "" {
		return r, reject("assigned_unit", rule)
	}
	if in.CaseID != "" {
		if rej = c.id("case_id", in.CaseID); rej != nil {
			return r, rej
		}
	}
	if rej = maxRunes("subject", in.Subject, 200); rej != nil {
		return r, rej
	}
	if rej = maxRunes("content", in.Content, 20000); rej != nil {
		return r, rej
	}
	if r.Key, r.KeyKind, rej = c.d.Keyer.key(in.Caller, "caller", r.County, c.today); rej != nil {
		return r, rej
	}
	name := personName(in.Caller)
	r.Subject = Redact(in.Subject, name)
	r.Text, r.TextField = Redact(in.Content, name), "content"
	return r, nil
}

func (c *check) event(in *EventJSON) (Row, *Reject) {
	r := Row{Kind: KindEvent, ID: in.EventID, RefKind: in.RefKind, Ref: in.Ref, Type: in.Type,
		Unit: in.Unit, Result: in.Result, Satisfaction: in.Satisfaction, Leader: strings.TrimSpace(in.Leader)}
	var rej *Reject
	if rej = c.id("event_id", in.EventID); rej != nil {
		return r, rej
	}
	if rej = oneOf("ref_kind", in.RefKind, RefKinds, "petition, hotline"); rej != nil {
		return r, rej
	}
	if rej = c.id("ref", in.Ref); rej != nil {
		return r, rej
	}
	if r.At, rej = c.time("at", in.At); rej != nil {
		return r, rej
	}
	if rej = oneOf("type", in.Type, EventTypes, eventTypeList); rej != nil {
		return r, rej
	}
	if rule := c.d.Ref.Unit(in.Unit); rule != "" {
		return r, reject("unit", rule)
	}
	switch {
	case in.Type == "concluded" && in.RefKind == "petition":
		if rej = oneOf("result", in.Result, PetitionResults, "upheld, partial, rejected"); rej != nil {
			return r, rej
		}
	case in.Type == "concluded":
		if rej = oneOf("result", in.Result, HotlineResults, "resolved, unresolved"); rej != nil {
			return r, rej
		}
	case in.Result != "":
		return r, reject("result", "is only given with type concluded")
	}
	if in.Type == "evaluated" {
		if rej = oneOf("satisfaction", in.Satisfaction, Satisfactions, "satisfied, basic, unsatisfied"); rej != nil {
			return r, rej
		}
	} else if in.Satisfaction != "" {
		return r, reject("satisfaction", "is only given with type evaluated")
	}
	if rej = maxRunes("leader", r.Leader, 64); rej != nil {
		return r, rej
	}
	if rej = maxRunes("note", in.Note, 20000); rej != nil {
		return r, rej
	}
	r.Text, r.TextField = Redact(in.Note), "note"
	return r, nil
}

func (c *check) unitReport(in *UnitReportJSON) (Row, *Reject) {
	r := Row{Kind: KindUnitReport, ID: in.ReportID, Unit: in.Unit}
	var rej *Reject
	if rej = c.id("report_id", in.ReportID); rej != nil {
		return r, rej
	}
	if rule := c.d.Ref.Unit(in.Unit); rule != "" {
		return r, reject("unit", rule)
	}
	if in.Day == "" {
		return r, reject("day", "is required (YYYY-MM-DD)")
	}
	day, err := time.ParseInLocation(time.DateOnly, in.Day, shanghai)
	if err != nil {
		return r, reject("day", "must be a date, YYYY-MM-DD")
	}
	if day.Before(earliest) || day.After(c.now.Add(24*time.Hour)) {
		return r, reject("day", "must be between 2000-01-01 and tomorrow")
	}
	r.Day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	if r.At, rej = c.time("submitted_at", in.SubmittedAt); rej != nil {
		return r, rej
	}
	if in.Incidents == nil {
		return r, reject("incidents", "is required: 0 for a 零报告")
	}
	if *in.Incidents < 0 || *in.Incidents > 1_000_000 {
		return r, reject("incidents", "must be 0 to 1000000")
	}
	r.Incidents = uint32(*in.Incidents)
	if rej = maxRunes("note", in.Note, 20000); rej != nil {
		return r, rej
	}
	r.Text, r.TextField = Redact(in.Note), "note"
	return r, nil
}

func personName(p *Person) string {
	if p == nil {
		return ""
	}
	return p.Name
}
