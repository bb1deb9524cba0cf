package refdata_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xfwatch/refdata"
	"xfwatch/warehouse/whtest"
)

func TestMain(m *testing.M) { os.Exit(whtest.Main(m)) }

func TestDefaultIsLanzhou(t *testing.T) {
	s, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	names := map[string]string{}
	for _, r := range s.Regions {
		levels[r.Level]++
		names[r.Code] = r.Name
	}
	if levels["county"] != 8 || levels["township"] != 112 {
		t.Fatalf("levels %v, want 8 counties and 112 townships", levels)
	}
	for code, name := range map[string]string{"620102": "城关区", "620103": "七里河区", "620104": "西固区",
		"620105": "安宁区", "620111": "红古区", "620121": "永登县", "620122": "皋兰县", "620123": "榆中县"} {
		if names[code] != name {
			t.Errorf("%s is %q, want %q", code, names[code], name)
		}
	}
	if s.City.Code != "620100" || s.City.Name != "兰州市" || len(s.Villages) < 1000 || len(s.Units) < 100 || len(s.Periods) == 0 {
		t.Fatalf("city %+v, %d villages, %d units, %d periods", s.City, len(s.Villages), len(s.Units), len(s.Periods))
	}
}

func TestBadFilesNameTheRow(t *testing.T) {
	dir := t.TempDir()
	f := func(kind, content, want string) {
		t.Helper()
		path := filepath.Join(dir, kind+".csv")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		var files refdata.Files
		switch kind {
		case "regions":
			files.Regions = path
		case "units":
			files.Units = path
		case "periods":
			files.Periods = path
		}
		_, err := refdata.Read(files)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s %q: got %v, want an error containing %q", kind, content, err, want)
		}
	}
	f("regions", "code,name,level,parent,population\n620102,城关区,county,620100,1\n620103001,X街道,township,620102,5\n",
		"regions row 2 (620103001): a township has a 9-digit code starting with its county's")
	f("regions", "code,name,levl\n", `unknown column "levl"`)
	f("regions", "code,name,level,parent,population\n620102,城关区,county,620100,many\n", "line 2 column population")
	f("units", "code,name,kind,region,level,parent\nU1,某单位,government,999999,county,CITY\n",
		"units row 1 (U1): region 999999 is neither the city nor in the regions file")
	f("periods", "name,start,end,zero_report_required,threshold_factor,region\n两会,2026-03-13,2026-03-03,true,0.5,\n",
		"end 2026-03-03 is before start 2026-03-13")
}

func TestLoadReplacesOnlyWhatChanged(t *testing.T) {
	db := whtest.DB(t)
	ctx := context.Background()
	s, err := refdata.Default()
	if err != nil {
		t.Fatal(err)
	}
	first, err := refdata.Load(ctx, db, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range first {
		if !r.Changed {
			t.Errorf("first load left %s unchanged", r.Table)
		}
	}
	if n := whtest.Count(t, db, "regions"); n != 120 {
		t.Fatalf("regions: %d rows, want 8 counties + 112 townships", n)
	}
	again, err := refdata.Load(ctx, db, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if r.Changed {
			t.Errorf("second load of the same data changed %s", r.Table)
		}
	}
	if n := whtest.Count(t, db, "regions"); n != 120 {
		t.Fatalf("after reloading, regions has %d rows", n)
	}
	// A township dropped from the file disappears; other tables stay.
	s.Regions = s.Regions[:len(s.Regions)-1]
	s.Villages = dropTownship(s.Villages, "620123214")
	third, err := refdata.Load(ctx, db, s)
	if err != nil {
		t.Fatal(err)
	}
	if !third[0].Changed || third[2].Changed {
		t.Fatalf("after removing a township: %+v", third)
	}
	if n := whtest.Count(t, db, "regions"); n != 119 {
		t.Fatalf("regions: %d rows, want 119", n)
	}
	var name string
	if err := db.QueryRow(ctx, "SELECT name FROM "+db.Table("regions")+" WHERE code = '620102'").Scan(&name); err != nil || name != "城关区" {
		t.Fatalf("城关区 row: %q %v", name, err)
	}
}

func dropTownship(vs []refdata.Village, township string) []refdata.Village {
	var out []refdata.Village
	for _, v := range vs {
		if v.Township != township {
			out = append(out, v)
		}
	}
	return out
}
