package handlers

// The messages of a draft's review, the minority's view, the minutes and the printables
// (docs/paper.md). Merged into the catalog by addMessages.
func init() {
	addMessages("paper", paperCatalog)
}

var paperCatalog = map[string]map[string]string{
	LocaleZH: {
		"resolution_not_draft":     "这份决议已经有了结果（通过或未通过），不能再通过、驳回或修改草稿。",
		"owners_decision_required": "这是《民法典》第278条由业主共同决定的事项，要由业主表决或官方平台的结果来决定，不能由主持人直接通过。",
		"poll_not_passed":          "这次表决没有通过，决议不能通过。请把它记录为未通过。",
		"poll_passed":              "这次表决已经通过，请在大屏上宣读后通过决议；如有错字，先修改草稿。",
		"resolution_signed":        "已经有人在这份决议上签字了，不能再修改它的标题和内容。",
		"resolution_draft_pending": "还有{count}份决议草稿没有通过或记录为未通过。请先在大屏上宣读并处理，再归档本期月月谈。",

		"rule.minority_opinion_too_long": "少数意见最多2000个字",
		"rule.budget_with_amendment":     "预算请单独修改，不要和决议内容、少数意见一起提交",

		"field.minority_opinion": "少数意见",
	},
	LocaleEN: {
		"resolution_not_draft":     "This resolution has already been adopted or rejected; it can no longer be adopted, rejected or corrected as a draft.",
		"owners_decision_required": "This is a matter the owners decide (Civil Code art. 278): the owners' vote or the official platform's result decides it, not the facilitator.",
		"poll_not_passed":          "The vote did not pass, so the resolution cannot be adopted. Record it as rejected.",
		"poll_passed":              "The vote passed: read the draft out on the wall and adopt it; correct the draft first if something is wrong.",
		"resolution_signed":        "Someone has already signed this resolution; its title and text can no longer be changed.",
		"resolution_draft_pending": "{count} draft resolution(s) are neither adopted nor recorded as rejected. Read them out on the wall and decide them before closing this month's talk.",

		"rule.minority_opinion_too_long": "At most 2000 characters",
		"rule.budget_with_amendment":     "Change the budget on its own, not together with the text or the minority's view",

		"field.minority_opinion": "Minority's view",
	},
}
