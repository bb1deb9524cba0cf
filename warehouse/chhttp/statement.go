package chhttp

import "strings"

// statement is what the front needs to know about a query's text without
// parsing it fully: its leading keyword and the output format it names.
type statement struct {
	keyword string // first keyword, upper case: SELECT, INSERT, SET, USE, …
	format  string // the format after a top-level FORMAT clause, "" if none
	// formatAt is where that FORMAT keyword starts, -1 if none.
	formatAt int

	// For an INSERT: where a FROM INFILE clause belongs (before the
	// top-level SETTINGS or FORMAT), where inline data after "FORMAT name"
	// starts (-1 if the text ends there), and whether it reads a file
	// already or takes VALUES.
	infileAt, dataAt int
	hasInfile        bool
	values           bool
}

// isInsert reports whether the statement carries input data rather than
// producing output.
func (s statement) isInsert() bool { return s.keyword == "INSERT" }

// changesSession reports whether the statement alters session state that
// must not leak into the next request (ClickHouse's HTTP interface gives each
// request without session_id a fresh session).
func (s statement) changesSession() bool {
	return s.keyword == "SET" || s.keyword == "USE"
}

// scanStatement reads the leading keyword and a top-level FORMAT clause,
// skipping string literals, quoted identifiers and comments. It stops at the
// data of an INSERT (after FORMAT name or VALUES), which may be binary.
func scanStatement(q []byte) statement {
	st := statement{infileAt: -1, dataAt: -1, formatAt: -1}
	var prevStart int
	depth := 0
	var prev string // previous word at depth 0, upper case
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(q) && q[i+1] == '-', c == '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end := strings.Index(string(q[i+2:]), "*/")
			if end < 0 {
				return st
			}
			i += end + 4
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(q, i)
			prev = ""
		case c == '(' || c == '[':
			depth++
			i++
			prev = ""
		case c == ')' || c == ']':
			depth--
			i++
			prev = ""
		case isWordByte(c):
			start := i
			for i < len(q) && isWordByte(q[i]) {
				i++
			}
			word := strings.ToUpper(string(q[start:i]))
			if st.keyword == "" {
				st.keyword = word
			}
			if st.isInsert() && depth == 0 {
				switch {
				case word == "INFILE" && prev == "FROM":
					st.hasInfile = true
				case (word == "SETTINGS" || word == "FORMAT") && st.infileAt < 0:
					st.infileAt = start
				case word == "VALUES":
					st.values = true
					return st
				}
			}
			if depth == 0 && prev == "FORMAT" && !followedByParen(q, i) {
				st.format = string(q[start:i])
				st.formatAt = prevStart
				if st.isInsert() {
					st.dataAt = dataStart(q, i)
					return st
				}
			}
			prev, prevStart = word, start
		default:
			i++
			prev = ""
		}
	}
	return st
}

// dataStart is where an INSERT's inline data begins after the format name at
// i: spaces and tabs are skipped, then one line end; -1 if nothing follows.
func dataStart(q []byte, i int) int {
	for i < len(q) && (q[i] == ' ' || q[i] == '\t') {
		i++
	}
	if i < len(q) && q[i] == '\r' {
		i++
	}
	if i < len(q) && q[i] == '\n' {
		i++
	}
	if i >= len(q) {
		return -1
	}
	return i
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func followedByParen(q []byte, i int) bool {
	for i < len(q) && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r') {
		i++
	}
	return i < len(q) && q[i] == '('
}

// skipQuoted returns the index after the quoted token starting at i; the
// quote is escaped by a backslash or by doubling it.
func skipQuoted(q []byte, i int) int {
	quote := q[i]
	i++
	for i < len(q) {
		switch q[i] {
		case '\\':
			i += 2
			continue
		case quote:
			if i+1 < len(q) && q[i+1] == quote {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return i
}
