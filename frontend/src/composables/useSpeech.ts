// 长辈版 reads texts aloud on request (card texts, the topic, a ballot's question) with the
// browser's own speech synthesis in Chinese (docs/phone.md). Nothing is sent anywhere: the
// phone speaks by itself. One text at a time; starting another stops the one playing.

import { ref } from 'vue'

/** The text being read now ('' when silent), shared so every button knows whether it is the one speaking. */
const speaking = ref('')

export function speechAvailable(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined'
}

export function stopSpeaking(): void {
  if (!speechAvailable()) return
  window.speechSynthesis.cancel()
  speaking.value = ''
}

export function speak(text: string): void {
  if (!speechAvailable() || !text.trim()) return
  window.speechSynthesis.cancel()
  const u = new SpeechSynthesisUtterance(text)
  u.lang = 'zh-CN'
  u.rate = 0.9
  const zh = window.speechSynthesis.getVoices().find((v) => v.lang.replace('_', '-').startsWith('zh-CN'))
  if (zh) u.voice = zh
  const done = () => {
    if (speaking.value === text) speaking.value = ''
  }
  u.onend = done
  u.onerror = done
  speaking.value = text
  window.speechSynthesis.speak(u)
}

export function useSpeech() {
  return { speaking, speak, stop: stopSpeaking, available: speechAvailable() }
}
