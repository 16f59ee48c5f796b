package handlers

// The messages of ballot secrecy and of owners' paper ballots entered unit by unit, kept beside
// the catalog in i18n.go and merged into it when the package starts by addMessages; a key given
// twice is a bug that TestI18n_Catalog reports.
func init() { addMessages("secrecy", secrecyCatalog) }

var secrecyCatalog = map[string]map[string]string{
	LocaleZH: {
		"voted_on_paper":            "您的纸质表决票已经由工作人员录入，已经计票了，不需要再在网上投票。",
		"owners_paper_per_unit":     "业主表决的纸质票请逐户录入（房号、表决意见和票号），不能按来源填写合计，以免同一位业主被重复计入。",
		"paper_ballots_owners_only": "只有业主表决需要逐户录入纸质表决票；其他投票的纸质票请按来源填写合计。",
		"unit_voted_online":         "这户的业主已经在网上投过票了，同一位业主不能再用纸质票计入。",
		"unit_voted_on_paper":       "这户业主的纸质表决票已经录入过了。如果录错了，请先作废那一条再重新录入。",
		"paper_ballot_no_taken":     "这个票号已经录入过了，请核对票号。",

		"rule.secret_results_after_close": "不记名投票只能在投票结束后公布结果：投票过程中票数一变，别人就可能看出是谁投了什么",
		"rule.unit_not_in_roll":           "这户不在这次业主表决的名册上",
		"rule.paper_ballot_no_too_long":   "票号最多20个字",
		"rule.void_reason_too_long":       "原因最多200个字",
		"rule.paper_choice_not_counted":   "计票里没有这样一张纸质票，请核对纸质票上的表决意见",

		"field.ballot_no": "票号",

		"recount.secret_choices":       "不记名投票不保存每一张选票，只保存各选项的合计，所以网上投票的票数无法逐张重新核算；这里核对的是投票回执的数量与计入的投票人数是否一致。",
		"recount.secret_paper_choices": "不记名业主表决的纸质票只记录哪一户用纸质票投了票，不在这户旁边记录表决意见，所以纸质票的票数无法逐张重新核算；这里核对的是录入的纸质票数量与计入的人数是否一致。",
	},
	LocaleEN: {
		"voted_on_paper":            "Your paper ballot has already been entered and counted; there is no need to vote online.",
		"owners_paper_per_unit":     "Enter an owners' vote's paper ballots one unit at a time (room, vote and ballot number), not as a total by source, so that no owner is counted twice.",
		"paper_ballots_owners_only": "Only an owners' vote takes paper ballots unit by unit; for other polls enter the paper count by source.",
		"unit_voted_online":         "This unit's owner has already voted online; the same owner cannot be counted again on paper.",
		"unit_voted_on_paper":       "This unit's owner already has a paper ballot entered. If it was a mistake, void that entry first and enter it again.",
		"paper_ballot_no_taken":     "This ballot number has already been entered; please check the number.",

		"rule.secret_results_after_close": "A secret ballot's results can only be shown after the vote closes: counts that move while people vote could show who voted how",
		"rule.unit_not_in_roll":           "This unit is not on the owners' vote's roll",
		"rule.paper_ballot_no_too_long":   "A ballot number is at most 20 characters",
		"rule.void_reason_too_long":       "A reason is at most 200 characters",
		"rule.paper_choice_not_counted":   "The count holds no such paper ballot; please check the vote written on it",

		"field.ballot_no": "Ballot number",

		"recount.secret_choices":       "A secret poll keeps no ballot, only each option's total, so its online votes cannot be counted again one by one; this recount checks that the receipts match the voters counted.",
		"recount.secret_paper_choices": "A secret owners' vote records only which units voted on paper, never their vote beside the unit, so the paper counts cannot be counted again one by one; this recount checks that the entries match the owners counted.",
	},
}
