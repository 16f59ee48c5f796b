package handlers

// The messages of owners' polls (业主表决) and of closing a cycle with an owners' decision
// pending, kept beside the catalog in i18n.go and merged into it when the package starts by
// addMessages; a key given twice is a bug that TestI18n_Catalog reports.
func init() { addMessages("owners poll", ownersPollCatalog) }

var ownersPollCatalog = map[string]map[string]string{
	LocaleZH: {
		"not_owner_in_scope":      "您不在这次业主表决的名册上：表决范围内没有登记在您名下的房屋（名册在表决开始时确定）。如有遗漏，请联系社区工作人员，可以用纸质表决票计入。",
		"owner_roll_empty":        "表决范围内还没有任何房屋，无法开始业主表决。请先登记房屋和业主。",
		"owners_decision_pending": "还有{count}份决议在等待业主共同决定（《民法典》第278条）。请先记录业主表决或官方平台的结果，再归档本期月月谈。",

		"rule.owners_poll_on_cycle":   "业主表决请在本期月月谈上发起（不在会议上）：业主表决常要持续数周，也包括没有到会的业主",
		"rule.owners_need_owner_area": "业主表决按专有部分面积和业主人数计票，计票单位请选「按面积」（owner_area）",
		"rule.owners_need_approval":   "业主表决只能是赞成/反对/弃权表决",
		"rule.owners_need_278_rule":   "业主表决请选择《民法典》第278条的规则：双过半或双四分之三",
		"rule.buildings_need_owners":  "只有业主表决可以限定楼栋",
		"rule.too_many_buildings":     "最多限定50个楼栋",
		"rule.areas_need_owners":      "只有业主表决的纸质票需要填写面积",

		"field.building_ids": "表决楼栋",
		"field.areas":        "面积",
	},
	LocaleEN: {
		"not_owner_in_scope":      "You are not on this owners' vote's roll: no unit in its scope is registered to you (the roll is fixed when the vote opens). If this is a mistake, ask the community staff; your vote can be counted on a paper ballot.",
		"owner_roll_empty":        "There are no units in this vote's scope, so the owners' vote cannot open. Register the units and their owners first.",
		"owners_decision_pending": "{count} resolution(s) still await the owners' decision (Civil Code art. 278). Record the owners' vote or the official platform's result before closing this month's talk.",

		"rule.owners_poll_on_cycle":   "Start an owners' vote on the month's talk, not at a meeting: it often runs for weeks and includes owners who were not there",
		"rule.owners_need_owner_area": "An owners' vote counts owners and exclusive area; choose the counting unit owner_area",
		"rule.owners_need_approval":   "An owners' vote is a yes/no/abstain vote",
		"rule.owners_need_278_rule":   "Choose a Civil Code art. 278 rule for an owners' vote: double majority or double three quarters",
		"rule.buildings_need_owners":  "Only an owners' vote can be limited to some buildings",
		"rule.too_many_buildings":     "At most 50 buildings",
		"rule.areas_need_owners":      "Areas are only entered for an owners' vote's paper ballots",

		"field.building_ids": "Buildings voting",
		"field.areas":        "Areas",
	},
}
