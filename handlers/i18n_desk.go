package handlers

// The messages of the committee's desk and the street's view (docs/desk.md). Merged into the
// catalog by addMessages.
func init() {
	addMessages("desk", deskCatalog)
	labelScopes[API+"/communities/:cid/dashboard"] = "dashboard"
	labelScopes[API+"/communities/:cid/dashboard/records"] = "dashboard"
	labelScopes[API+"/streets/:sid/dashboard"] = "dashboard"
	labelScopes[API+"/streets"] = "street"
	labelScopes[API+"/streets/:sid/observers"] = "street_observer"
}

var deskCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.month_or_date":       "请填写月份（如2026-03）或日期（如2026-03-01）",
		"rule.range_reversed":      "结束月份不能早于开始月份",
		"rule.unknown_record_kind": "没有这一类记录",
		"field.from":               "开始月份",
		"rule.street_exists":       "这个街道已经登记过了",
		"rule.user_not_found":      "找不到这个用户",

		"field.dashboard.from":          "开始月份",
		"field.dashboard.to":            "结束月份",
		"field.dashboard.compound_id":   "小区",
		"field.dashboard.kind":          "记录类型",
		"field.dashboard.status":        "状态",
		"field.street.name":             "街道名称",
		"field.street.district":         "区",
		"field.street.city":             "城市",
		"field.street_observer.user_id": "用户",
	},
	LocaleEN: {
		"rule.month_or_date":       "Enter a month (2026-03) or a date (2026-03-01)",
		"rule.range_reversed":      "The end month cannot be before the start month",
		"rule.unknown_record_kind": "There is no such kind of record",
		"field.from":               "From",
		"rule.street_exists":       "This street is already recorded",
		"rule.user_not_found":      "No such user",

		"field.dashboard.from":          "From month",
		"field.dashboard.to":            "To month",
		"field.dashboard.compound_id":   "Compound",
		"field.dashboard.kind":          "Kind of record",
		"field.dashboard.status":        "Status",
		"field.street.name":             "Street name",
		"field.street.district":         "District",
		"field.street.city":             "City",
		"field.street_observer.user_id": "User",
	},
}
