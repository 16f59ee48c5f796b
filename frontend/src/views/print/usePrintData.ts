// Loading for the printables: one async read, its error worded for the page.
import { onMounted, ref } from 'vue'
import { errorText } from '@/composables/useNotify'

export function usePrintData<T>(load: () => Promise<T>) {
  const data = ref<T | null>(null)
  const loading = ref(true)
  const error = ref('')
  onMounted(async () => {
    try {
      data.value = await load()
    } catch (e) {
      error.value = errorText(e)
    } finally {
      loading.value = false
    }
  })
  return { data, loading, error }
}

/** An SVG QR code of a link, drawn by the qrcode package (loaded with the printable only). */
export async function qrSvg(url: string): Promise<string> {
  const QRCode = (await import('qrcode')).default
  return QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
}
