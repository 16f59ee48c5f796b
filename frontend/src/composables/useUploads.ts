// Photos: uploading one for a community, and showing protected ones. The
// server wants the bearer token for GET /uploads/:id, which an <img src>
// cannot send, so pictures are fetched as blobs and shown through object
// URLs that are released when the component goes away.

import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'
import { api, fetchBlob } from '@/api/client'
import type { Upload } from '@/api/types'
import { errorText, fieldErrors } from './useNotify'

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
      photo.value = await uploadPhoto(cid, file, file.name || name)
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
