package bench

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"xfwatch/ingest"
	"xfwatch/refdata"
)

// petitions makes n valid petition records of about 400 bytes: real
// township codes and units of the demo city, checksummed ID numbers, a
// phone and a name (pseudonymised by ingest), a subject and a short text.
func petitions(city *refdata.Set, n, from int, at time.Time) []kafka.Message {
	var towns []string
	for _, r := range city.Regions {
		if r.Level == "township" {
			towns = append(towns, r.Code)
		}
	}
	cats := refdata.Categories
	out := make([]kafka.Message, n)
	for j := range n {
		i := from + j
		town := towns[i%len(towns)]
		id := fmt.Sprintf("BX%09d", i)
		v, _ := json.Marshal(map[string]any{
			"case_id": id, "received_at": at.Add(time.Duration(i%86400) * time.Second).Format(time.RFC3339),
			"channel": "visit", "receiving_level": "county", "origin_region": town, "category": cats[i%len(cats)],
			"headcount": 1 + i%3, "responsible_unit": "G" + town[:6], "subject": "反映征地补偿标准问题",
			"content":    "来访人反映征地补偿款未按期发放，请求核实处理。",
			"petitioner": map[string]any{"id_number": idNumber(i), "phone": fmt.Sprintf("139%08d", i%100000000), "name": "王某某"},
		})
		out[j] = kafka.Message{Key: []byte(id), Value: v}
	}
	return out
}

// idNumber is a valid 18-character ID number (GB 11643 checksum) for i.
func idNumber(i int) string {
	first := fmt.Sprintf("620102%s%03d", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%15000).Format("20060102"), i%1000)
	return first + string(ingest.IDCheckChar(first))
}
