package ingest

import (
	"sort"
	"strings"
	"time"
)

var shanghai = mustLocation("Asia/Shanghai")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func list(m map[string]bool) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// Enumerations of SPEC section 3.
var (
	PetitionChannels = set("letter", "visit", "phone", "online", "mailbox", "video", "email", "fax")
	Levels           = set("village", "township", "county", "city", "province", "national")
	Categories       = set("land_acquisition", "demolition", "restructuring", "cadre_conduct", "social_security",
		"law_litigation", "environment", "work_safety", "traffic_accident", "medical_dispute",
		"wage_arrears", "housing", "urban_management", "rural_affairs", "education", "other")
	HotlineChannels = set("phone", "web", "app", "wechat", "email")
	HotlineKinds    = set("consult", "help", "complaint", "report", "suggestion", "praise")
	RefKinds        = set("petition", "hotline")
	EventTypes      = set("accepted", "rejected", "assigned", "transferred", "extended", "contacted", "concluded",
		"review_requested", "reviewed", "rereview_requested", "rereviewed", "terminated", "evaluated",
		"supervised", "leader_assigned", "leader_received", "reopened")
	PetitionResults = set("upheld", "partial", "rejected")
	HotlineResults  = set("resolved", "unresolved")
	Satisfactions   = set("satisfied", "basic", "unsatisfied")

	petitionChannelList = list(PetitionChannels)
	levelList           = list(Levels)
	categoryList        = list(Categories)
	hotlineChannelList  = list(HotlineChannels)
	hotlineKindList     = list(HotlineKinds)
	eventTypeList       = list(EventTypes)
)
