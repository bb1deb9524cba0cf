package ingest

import "time"

// Person is a petitioner or caller as sent; it never leaves this package
// except as a pseudonym.
type Person struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Name     string `json:"name"`
}

// PetitionJSON is a 信访件 registration on xf.petitions (SPEC 3.1).
type PetitionJSON struct {
	CaseID          string  `json:"case_id"`
	ReceivedAt      string  `json:"received_at"`
	Channel         string  `json:"channel"`
	ReceivingLevel  string  `json:"receiving_level"`
	OriginRegion    string  `json:"origin_region"`
	Category        string  `json:"category"`
	Headcount       *int    `json:"headcount"`
	Abnormal        bool    `json:"abnormal"`
	Petitioner      *Person `json:"petitioner"`
	ResponsibleUnit string  `json:"responsible_unit"`
	Subject         string  `json:"subject"`
	Content         string  `json:"content"`
}

// HotlineJSON is a 12345 work order on xf.hotline (SPEC 3.2).
type HotlineJSON struct {
	OrderID      string  `json:"order_id"`
	ReceivedAt   string  `json:"received_at"`
	Channel      string  `json:"channel"`
	Kind         string  `json:"kind"`
	Region       string  `json:"region"`
	Category     string  `json:"category"`
	Caller       *Person `json:"caller"`
	Subject      string  `json:"subject"`
	Content      string  `json:"content"`
	Urgent       bool    `json:"urgent"`
	AssignedUnit string  `json:"assigned_unit"`
	CaseID       string  `json:"case_id"`
}

// EventJSON is a handling event on xf.events (SPEC 3.3).
type EventJSON struct {
	EventID      string `json:"event_id"`
	RefKind      string `json:"ref_kind"`
	Ref          string `json:"ref"`
	At           string `json:"at"`
	Type         string `json:"type"`
	Unit         string `json:"unit"`
	Result       string `json:"result"`
	Satisfaction string `json:"satisfaction"`
	Leader       string `json:"leader"`
	Note         string `json:"note"`
}

// UnitReportJSON is a daily report or 零报告 on xf.unit-reports (SPEC 3.4).
type UnitReportJSON struct {
	ReportID    string `json:"report_id"`
	Unit        string `json:"unit"`
	Day         string `json:"day"`
	SubmittedAt string `json:"submitted_at"`
	Incidents   *int   `json:"incidents"`
	Note        string `json:"note"`
}

// Row is a validated, pseudonymised record, ready for its table: what the
// warehouse may hold. Fields unused by a kind stay empty.
type Row struct {
	Kind Kind
	ID   string // case_id, order_id, event_id or report_id
	At   time.Time

	Channel, Level, Region, County, Township string
	Category, Unit, Subject                  string
	Headcount                                uint16
	Flag                                     bool   // abnormal (petition), urgent (hotline)
	Key, KeyKind                             string // pseudonym
	HotlineKind, CaseID                      string
	RefKind, Ref, Type, Result               string
	Satisfaction, Leader                     string
	Day                                      time.Time
	Incidents                                uint32

	// Text is the record's free text (content or note), redacted; it goes
	// to restricted_texts only.
	Text      string
	TextField string
}
