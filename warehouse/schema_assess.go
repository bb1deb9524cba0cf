package warehouse

// Assessment tables, written by package assess (`xfwatch assess`). A row
// keeps the rubric version and every input value it used, so a past year's
// scores can be explained line by line and recomputed exactly.
var (
	assessmentScoresTable = Table{
		Name:    "assessment_scores",
		Comment: "考核 scores per unit and period (a year, or a month for 通报)",
		Columns: []Column{
			{"year", "UInt16", "assessment year"},
			{"month", "UInt8", "0 for the annual score, else the month of a monthly score"},
			{"unit", lcStr, "assessed unit: a county government (its county's units together) or a city department"},
			{"unit_name", "String", "its name"},
			{"rubric_version", lcStr, "the rubric the score used"},
			{"score", "Float64", "0-100: points over the assessed criteria, scaled to 100, minus deductions; NaN when nothing was assessed"},
			{"score_low", "Float64", "lower end of the 90% interval"},
			{"score_high", "Float64", "upper end of the 90% interval"},
			{"rank", "UInt16", "1 = best"},
			{"rank_best", "UInt16", "best rank the interval allows"},
			{"rank_worst", "UInt16", "worst rank the interval allows"},
			{"deductions", "Float64", "points deducted for 通报 and 一事一通报"},
			{"assessed_weight", "Float64", "weight of the criteria with data"},
			{"met_target", "Bool", "达标: score at or above the rubric's pass score, no 一事一通报"},
			{"criteria", "String", "JSON: each criterion's input counts, raw and shrunk value, interval, points, or not assessed"},
			{"computed_at", tsType, "when it was computed"},
		},
		Engine: "ReplacingMergeTree(computed_at)", PartitionBy: "year", OrderBy: "(year, month, unit, rubric_version)",
	}
	assessmentBulletinsTable = Table{
		Name:    "assessment_bulletins",
		Comment: "月通报: units named in a month, and 一事一通报 items",
		Columns: []Column{
			{"year", "UInt16", "year"},
			{"month", "UInt8", "month"},
			{"unit", lcStr, "unit named"},
			{"unit_name", "String", "its name"},
			{"reason", lcStr, "three_visits|bottom_score|backlog|one_event"},
			{"detail", "String", "what, in Chinese"},
			{"case_id", "String", "the case of a 一事一通报 item, else empty"},
			{"written_review", "Bool", "书面检查 required: named this month and the month before"},
			{"rubric_version", lcStr, "rubric"},
			{"computed_at", tsType, "when it was computed"},
		},
		Engine: "ReplacingMergeTree(computed_at)", PartitionBy: "year", OrderBy: "(year, month, unit, reason, case_id)",
	}
)
