package handlers

// Messages of the password rules, the password change in 我的 and the password reset, merged into
// the catalog by addMessages.
func init() {
	addMessages("passwords", passwordsCatalog)
	labelScopes[API+"/auth/password-reset"] = "reset"
}

var passwordsCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.password_too_short": "密码至少要{param}位。可以用一句您记得住的话的拼音，再加几个数字",
		"rule.password_control":   "密码里有看不见的特殊字符，请只用字母、数字、空格和标点",
		"rule.password_one_char":  "密码不能全是同一个字，请换一个",
		"rule.password_is_phone":  "密码不能用手机号，请换一个",
		"rule.password_common":    "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"rule.password_same":      "新密码和现在的密码一样，请换一个",
		"rule.reset_code_invalid": "手机号或重置码不对，也可能重置码已用过或过期了。请核对后再试，或请社区工作人员重新给您一个",

		"password_change_locked":     "当前密码输错太多次了，请{minutes}分钟后再试。",
		"password_changed_meanwhile": "密码刚刚已被改过，请重新登录后再试。",
		"reset_locked":               "尝试次数太多，请{minutes}分钟后再试。",
		"reset_needs_admin":          "这位成员担任社区职务，请由本社区的管理员或街道管理员为他重置密码。",
		"sms_disabled":               "本站没有开通短信验证码，请到社区办公室当面领取重置码。",
		"sms_unavailable":            "短信暂时发不出去，请稍后再试，或到社区办公室当面领取重置码。",
		"sms_too_many":               "验证码发得太频繁了，请{minutes}分钟后再试。",

		"field.current_password": "当前密码",
		"field.new_password":     "新密码",
		"field.reset.code":       "重置码",
	},
	LocaleEN: {
		"rule.password_too_short": "The password needs at least {param} characters. A sentence you remember, with a few digits, works well",
		"rule.password_control":   "The password has invisible control characters; please use letters, digits, spaces and punctuation only",
		"rule.password_one_char":  "The password cannot be one character repeated; please choose another",
		"rule.password_is_phone":  "The password cannot be your phone number; please choose another",
		"rule.password_common":    "This password is too common and easy to guess. Please choose another, such as a sentence you remember with a few digits",
		"rule.password_same":      "The new password is the same as the current one; please choose another",
		"rule.reset_code_invalid": "The phone number or reset code is wrong, or the code was used or has expired. Please check it, or ask the community office for a new one",

		"password_change_locked":     "Too many wrong current passwords. Please try again in {minutes} minutes.",
		"password_changed_meanwhile": "The password was changed a moment ago. Please log in again and retry.",
		"reset_locked":               "Too many attempts. Please try again in {minutes} minutes.",
		"reset_needs_admin":          "This member holds a community role; an admin of this community or the street must reset their password.",
		"sms_disabled":               "Text message codes are not available here. Please get a reset code at the community office.",
		"sms_unavailable":            "Text messages cannot be sent right now. Please try again later, or get a reset code at the community office.",
		"sms_too_many":               "Too many codes requested. Please try again in {minutes} minutes.",

		"field.current_password": "Current password",
		"field.new_password":     "New password",
		"field.reset.code":       "Reset code",
	},
}
