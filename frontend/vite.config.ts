import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go server embeds dist/ and serves it at the site root; /api stays with
// the server. During `npm run dev` the API is proxied to a local server.
const apiTarget = process.env.YYT_API_URL ?? 'http://127.0.0.1:8080'

/**
 * Vant inlines its icon font as a data: URL with a third-party CDN fallback.
 * The server's Content-Security-Policy allows fonts from 'self' only, and
 * residents' phones should never need a CDN, so the font becomes a hashed
 * file under /assets/ served by our own server.
 */
function selfHostIconFont(): Plugin {
  const fontSrc =
    /url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\) format\("woff2"\)(?:,\s*url\([^)]*\) format\("woff"\))?/
  let font: { fileName: string; source: Buffer } | null = null
  return {
    name: 'yyt-self-host-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]vant[\\/].*\.css$/.test(id.split('?')[0])) return null
      const m = fontSrc.exec(code)
      if (!m) return null
      const source = Buffer.from(m[1], 'base64')
      const hash = createHash('sha256').update(source).digest('hex').slice(0, 8)
      font = { fileName: `assets/vant-icon-${hash}.woff2`, source }
      return { code: code.replace(m[0], `url(/${font.fileName}) format("woff2")`), map: null }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (font && req.url === `/${font.fileName}`) {
          res.setHeader('Content-Type', 'font/woff2')
          res.end(font.source)
          return
        }
        next()
      })
    },
    generateBundle() {
      if (font) this.emitFile({ type: 'asset', fileName: font.fileName, source: font.source })
    },
  }
}

/**
 * Writes name.br and name.gz beside every text file of the build (at least
 * 1 KiB, and only when smaller), so the Go server sends them as they are
 * instead of compressing on each request (handlers/spa.go). Brotli comes from
 * Node's zlib: the server needs no brotli encoder of its own.
 */
function precompress(): Plugin {
  const text = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/
  let outDir = 'dist'
  return {
    name: 'yyt-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const file = join(dir, name)
          if (statSync(file).isDirectory()) {
            walk(file)
            continue
          }
          if (!text.test(name)) continue
          const source = readFileSync(file)
          if (source.length < 1024) continue
          const br = brotliCompressSync(source, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: source.length,
            },
          })
          const gz = gzipSync(source, { level: 9 })
          if (br.length < source.length) writeFileSync(`${file}.br`, br)
          if (gz.length < source.length) writeFileSync(`${file}.gz`, gz)
        }
      }
      walk(outDir)
    },
  }
}

export default defineConfig({
  base: '/',
  plugins: [vue(), selfHostIconFont(), precompress()],
  define: {
    // vue-i18n feature flags: composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: ['es2020', 'chrome87', 'safari14'],
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/readyz': { target: apiTarget },
      '/healthz': { target: apiTarget },
    },
  },
})
