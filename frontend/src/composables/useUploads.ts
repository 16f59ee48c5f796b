// Photos: uploading one for a community, and showing protected ones. The
// server wants the bearer token for GET /uploads/:id, which an <img src>
// cannot send, so pictures are fetched as blobs and shown through object
// URLs that are released when the component goes away.

import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'
import { api, fetchBlob } from '@/api/client'
import type { Upload } from '@/api/types'
import { errorText, fieldErrors } from './useNotify'

/** The long side the server keeps a photo at (media.MaxLongSide); larger ones are scaled down there anyway. */
export const PHOTO_MAX_SIDE = 2560
/** A photo at most this big that needs no scaling is sent as it is. */
const SEND_AS_IS_BYTES = 1_500_000

/**
 * A phone's photo made small on the phone before it goes over mobile data (docs/phone.md): at
 * most `max` pixels on the long side, upright as the camera meant it, re-encoded as JPEG. A
 * picture that is already small is sent as it is, and so is anything the browser cannot draw
 * (the server checks and re-encodes every photo anyway, and strips its EXIF).
 */
export async function shrinkPhoto(file: Blob, max = PHOTO_MAX_SIDE, quality = 0.85): Promise<Blob> {
  try {
    const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' })
    const scale = Math.min(1, max / Math.max(bmp.width, bmp.height))
    if (scale === 1 && file.size <= SEND_AS_IS_BYTES) {
      bmp.close()
      return file
    }
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(bmp.width * scale))
    canvas.height = Math.max(1, Math.round(bmp.height * scale))
    canvas.getContext('2d')!.drawImage(bmp, 0, 0, canvas.width, canvas.height)
    bmp.close()
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/jpeg', quality))
    // A re-encoding that came out bigger (a small, already well-compressed JPEG) is not sent.
    return blob && (scale < 1 || blob.size < file.size) ? blob : file
  } catch {
    return file
  }
}

/** The name to send a shrunk photo under: a JPEG's extension when it was re-encoded. */
function jpegName(name: string, sent: Blob, original: Blob): string {
  return sent === original ? name : `${name.replace(/\.[^.]*$/, '') || 'photo'}.jpg`
}

/** Shrinks (see shrinkPhoto) and uploads a photo chosen on this device. */
export async function uploadShrunkPhoto(communityId: number, file: File, name = 'photo.jpg'): Promise<Upload> {
  const small = await shrinkPhoto(file)
  return uploadPhoto(communityId, small, jpegName(file.name || name, small, file))
}

export function uploadPhoto(communityId: number, file: Blob, name = 'photo.jpg'): Promise<Upload> {
  const form = new FormData()
  form.append('community_id', String(communityId))
  form.append('file', file, name)
  return api.upload<Upload>('/uploads', form)
}

/**
 * A photo taken or chosen in a form: uploaded for the community as soon as it
 * is chosen, previewed from the local file meanwhile (the preview's object URL
 * is released when replaced and when the component goes away). `name` names a
 * file that has none; `uploaded` runs after each upload that succeeds.
 */
export function usePhotoUpload(communityId: () => number | undefined, name: string, uploaded: () => void) {
  const photo = ref<Upload | null>(null)
  const preview = ref<string | null>(null)
  const uploading = ref(false)
  const error = ref('')
  /** The file last sent, to send again after a failure. */
  const lastFile = shallowRef<File | null>(null)

  function setPreview(file: File | null) {
    if (preview.value) URL.revokeObjectURL(preview.value)
    preview.value = file ? URL.createObjectURL(file) : null
  }
  onScopeDispose(() => setPreview(null))

  async function send(file: File) {
    const cid = communityId()
    if (cid === undefined) return
    lastFile.value = file
    uploading.value = true
    error.value = ''
    photo.value = null
    setPreview(file)
    try {
      photo.value = await uploadShrunkPhoto(cid, file, name)
      uploaded()
    } catch (e) {
      error.value = fieldErrors(e).file || errorText(e)
    } finally {
      uploading.value = false
    }
  }

  /** The change handler of a file input: sends the chosen file and clears the input. */
  async function onFile(ev: Event) {
    const input = ev.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ''
    if (file) await send(file)
  }

  function remove() {
    photo.value = null
    error.value = ''
    lastFile.value = null
    setPreview(null)
  }

  return { photo, preview, uploading, error, lastFile, send, onFile, remove }
}

/** An object URL for a protected picture, following the url it is given. */
export function usePhoto(url: Ref<string | null | undefined>) {
  const src = ref<string | null>(null)
  const failed = ref(false)
  const loading = ref(false)
  let generation = 0

  function release(): void {
    if (src.value) URL.revokeObjectURL(src.value)
    src.value = null
  }

  watch(
    url,
    async (u) => {
      const mine = ++generation
      release()
      failed.value = false
      if (!u) return
      loading.value = true
      try {
        const blob = await fetchBlob(u)
        if (mine === generation) src.value = URL.createObjectURL(blob)
      } catch {
        if (mine === generation) failed.value = true
      } finally {
        if (mine === generation) loading.value = false
      }
    },
    { immediate: true },
  )
  onScopeDispose(() => {
    generation++
    release()
  })

  return { src, failed, loading }
}
