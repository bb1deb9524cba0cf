package ingest

// Kind is one of the four record kinds, one topic each.
type Kind int

const (
	KindPetition Kind = iota
	KindHotline
	KindEvent
	KindUnitReport
)

// Kinds lists every record kind.
var Kinds = []Kind{KindPetition, KindHotline, KindEvent, KindUnitReport}

func (k Kind) String() string {
	return [...]string{"petition", "hotline", "event", "unit_report"}[k]
}

// Table is the warehouse table the kind's records go to.
func (k Kind) Table() string {
	return [...]string{"petitions", "hotline_orders", "events", "unit_reports"}[k]
}

// Topics names the Kafka topics; the zero value takes the defaults.
type Topics struct {
	Petitions, Hotline, Events, UnitReports, DLQ string
}

// DefaultTopics are the topic names of SPEC section 3.
var DefaultTopics = Topics{
	Petitions: "xf.petitions", Hotline: "xf.hotline", Events: "xf.events",
	UnitReports: "xf.unit-reports", DLQ: "xf.dlq",
}

// WithDefaults fills empty names with the defaults.
func (t Topics) WithDefaults() Topics {
	d := DefaultTopics
	if t.Petitions != "" {
		d.Petitions = t.Petitions
	}
	if t.Hotline != "" {
		d.Hotline = t.Hotline
	}
	if t.Events != "" {
		d.Events = t.Events
	}
	if t.UnitReports != "" {
		d.UnitReports = t.UnitReports
	}
	if t.DLQ != "" {
		d.DLQ = t.DLQ
	}
	return d
}

// Of returns the topic of a kind.
func (t Topics) Of(k Kind) string {
	return [...]string{t.Petitions, t.Hotline, t.Events, t.UnitReports}[k]
}

// Kind returns the kind a topic carries.
func (t Topics) Kind(topic string) (Kind, bool) {
	for _, k := range Kinds {
		if t.Of(k) == topic {
			return k, true
		}
	}
	return 0, false
}

// Records lists the record topics (not the DLQ).
func (t Topics) Records() []string {
	return []string{t.Petitions, t.Hotline, t.Events, t.UnitReports}
}

// All lists every topic, the DLQ last.
func (t Topics) All() []string { return append(t.Records(), t.DLQ) }
