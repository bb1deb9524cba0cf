package chhttp

import "testing"

func TestScanStatement(t *testing.T) {
	f := func(q, keyword, format string) {
		t.Helper()
		st := scanStatement([]byte(q))
		if st.keyword != keyword || st.format != format {
			t.Errorf("scanStatement(%q) = %q/%q, want %q/%q", q, st.keyword, st.format, keyword, format)
		}
	}
	f("SELECT 1", "SELECT", "")
	f("select 1 format JSONEachRow", "SELECT", "JSONEachRow")
	f("SELECT 1 FORMAT Native SETTINGS max_threads=1", "SELECT", "Native")
	f("SELECT format('{}', 'x')", "SELECT", "")
	f("SELECT 'FORMAT JSON' AS s", "SELECT", "")
	f("SELECT `FORMAT` FROM t -- FORMAT CSV", "SELECT", "")
	f("/* FORMAT CSV */ SELECT (SELECT 1 FORMAT CSV)", "SELECT", "")
	f("  INSERT INTO t (a, b) FORMAT Native\n\x00\x01FORMAT JSON", "INSERT", "Native")
	f("INSERT INTO t VALUES ('FORMAT', 1) FORMAT JSON", "INSERT", "")
	f("SET max_threads = 2", "SET", "")
	f("with x as (select 1) select * from x FORMAT TSV", "WITH", "TSV")
	f("SELECT 'it''s', \"a\\\"b\" FORMAT CSV", "SELECT", "CSV")
	if st := scanStatement([]byte("SELECT 1 FORMAT Native SETTINGS a=1")); st.formatAt != 9 {
		t.Errorf("formatAt = %d, want 9", st.formatAt)
	}
}

func TestScanInsert(t *testing.T) {
	f := func(q string, infileAt, dataAt int, hasInfile bool) {
		t.Helper()
		st := scanStatement([]byte(q))
		if st.infileAt != infileAt || st.dataAt != dataAt || st.hasInfile != hasInfile {
			t.Errorf("scanStatement(%q): infileAt %d dataAt %d hasInfile %v, want %d %d %v",
				q, st.infileAt, st.dataAt, st.hasInfile, infileAt, dataAt, hasInfile)
		}
	}
	f("INSERT INTO t FORMAT Native", 14, -1, false)
	f("INSERT INTO t (a, b) SETTINGS x=1 FORMAT Native", 21, -1, false)
	f("INSERT INTO t FORMAT CSV  \n1,2\n\n3,4", 14, 27, false)
	f("INSERT INTO t FROM INFILE 'f' FORMAT CSV", 30, -1, true)
	f("INSERT INTO t SELECT * FROM s", -1, -1, false)
}

func FuzzScanStatement(f *testing.F) {
	f.Add("SELECT 1 FORMAT Native")
	f.Add("INSERT INTO t FORMAT Native\n\x00")
	f.Add("SELECT '\\' FORMAT")
	f.Fuzz(func(t *testing.T, q string) {
		scanStatement([]byte(q)) // must not panic or loop
	})
}
