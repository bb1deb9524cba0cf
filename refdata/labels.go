package refdata

// Categories are the 问题类别 of SPEC section 3.5, in display order: the
// seed's ten first, then the rest.
var Categories = []string{"land_acquisition", "demolition", "restructuring", "cadre_conduct", "social_security",
	"law_litigation", "environment", "work_safety", "traffic_accident", "medical_dispute",
	"wage_arrears", "housing", "urban_management", "rural_affairs", "education", "other"}

var categoryLabels = map[string]string{
	"land_acquisition": "土地征用", "demolition": "拆迁改造", "restructuring": "改革改制", "cadre_conduct": "干部作风",
	"social_security": "社会保障", "law_litigation": "涉法涉诉", "environment": "环境保护", "work_safety": "安全生产",
	"traffic_accident": "交通事故", "medical_dispute": "医患纠纷", "wage_arrears": "劳资欠薪", "housing": "住房物业",
	"urban_management": "城市管理", "rural_affairs": "农村农业", "education": "教育", "other": "其他",
}

// CategoryLabel is a category's Chinese name (the code itself if unknown).
func CategoryLabel(c string) string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	return c
}

var levelLabels = map[string]string{"village": "村", "township": "乡镇", "county": "县区", "city": "市", "province": "省", "national": "国家"}

// LevelLabel is a receiving or region level's Chinese name.
func LevelLabel(l string) string {
	if x, ok := levelLabels[l]; ok {
		return x
	}
	return l
}

// ThreeVisitLabel names the 三访 types.
var ThreeVisitLabel = map[string]string{"beijing_abnormal": "进京非正常上访", "province_collective": "赴省集体上访", "city_collective": "来市集体上访"}
