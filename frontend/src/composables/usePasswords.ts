// Passwords: changing one's own in 我的, a reset code issued by the community
// office, and turning a reset code (from the office or by SMS) into a new password.

import { ref } from 'vue'
import { api, setAccessToken } from '@/api/client'
import type { AuthOptions, ResetCode, TokenResponse } from '@/api/types'

const options = ref<AuthOptions | null>(null)

export function usePasswords() {
  return {
    options,
    /** Which ways of resetting this server offers; asked once per page load. */
    async loadOptions(): Promise<AuthOptions> {
      if (!options.value) options.value = await api.get<AuthOptions>('/auth/options', { auth: false })
      return options.value
    },

    /** Changes the password; the other devices are logged out, this one gets a new session. */
    async change(currentPassword: string, newPassword: string): Promise<void> {
      const t = await api.post<TokenResponse>('/me/password', {
        current_password: currentPassword,
        new_password: newPassword,
      })
      setAccessToken(t.access_token)
    },

    /** Staff: a new one-time code for a member they have checked face to face. */
    issueCode(cid: number, uid: number): Promise<ResetCode> {
      return api.post<ResetCode>(`/communities/${cid}/members/${uid}/password-reset`)
    },

    /** Sets a new password with a code from the office or a texted one. */
    reset(phone: string, code: string, newPassword: string): Promise<void> {
      return api.post<void>('/auth/password-reset', { phone, code, new_password: newPassword }, { auth: false })
    },

    /** Texts a code to the phone if it has an account (the answer is the same either way). */
    requestSMS(phone: string): Promise<void> {
      return api.post<void>('/auth/password-reset/sms', { phone }, { auth: false })
    },
  }
}
