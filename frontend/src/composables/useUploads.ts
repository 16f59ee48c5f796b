// Photos: uploading one for a community, and showing protected ones. The
// server wants the bearer token for GET /uploads/:id, which an <img src>
// cannot send, so pictures are fetched as blobs and shown through object
// URLs that are released when the component goes away.

import { onScopeDispose, ref, watch, type Ref } from 'vue'
import { api, fetchBlob } from '@/api/client'
import type { Upload } from '@/api/types'

export function uploadPhoto(communityId: number, file: Blob, name = 'photo.jpg'): Promise<Upload> {
  const form = new FormData()
  form.append('community_id', String(communityId))
  form.append('file', file, name)
  return api.upload<Upload>('/uploads', form)
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
