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

/**
 * The phone's landing pages (the resident home, the card form): each one's chunks (its view, what
 * it imports, their CSS), named in index.html as `<link rel="yyt-route" ...>` links the browser
 * does not fetch; public/early.js turns those of the page being opened into preloads, so they load
 * alongside the entry instead of after it has run (docs/phone.md). Other pages do not pay for them.
 */
const EARLY_ROUTES: { view: string; path: string }[] = [
  { view: '/src/views/HomeView.vue', path: '^/$' },
  { view: '/src/views/cycle/CardNewView.vue', path: '^/cycles/\\d+/cards/new$' },
]

function routePreload(): Plugin {
  return {
    name: 'yyt-route-preload',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        if (!bundle) return html
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk')
        const entry = chunks.find((c) => c.isEntry)
        const inEntry = new Set([entry?.fileName, ...(entry?.imports ?? [])])
        const links: string[] = []
        for (const route of EARLY_ROUTES) {
          const view = chunks.find((c) => c.facadeModuleId?.endsWith(route.view))
          if (!view) throw new Error(`yyt-route-preload: no chunk for ${route.view}`)
          const js = new Set<string>()
          const css = new Set<string>()
          const walk = (name: string) => {
            if (js.has(name) || inEntry.has(name)) return
            const c = bundle[name]
            if (!c || c.type !== 'chunk') return
            js.add(name)
            for (const f of c.viteMetadata?.importedCss ?? []) css.add(f)
            for (const i of c.imports) walk(i)
          }
          walk(view.fileName)
          const attr = `data-path="${route.path}"`
          links.push(...[...js].map((f) => `<link rel="yyt-route" ${attr} data-as="script" href="/${f}">`))
          links.push(...[...css].map((f) => `<link rel="yyt-route" ${attr} data-as="style" href="/${f}">`))
        }
        // early.js first among the scripts (so it is asked for before the entry and its imports
        // take the browser's six connections), after the links it reads.
        const early = /\s*<!--(?:(?!-->)[\s\S])*-->\s*<script async fetchpriority="high" src="\/early\.js"><\/script>/
        const tag = early.exec(html)
        if (!tag) throw new Error('yyt-route-preload: no early.js script in index.html')
        html = html.replace(tag[0], '')
        const at = html.search(/<script type="module"/)
        if (at < 0) throw new Error('yyt-route-preload: no entry script in index.html')
        return `${html.slice(0, at)}${links.join('\n    ')}\n    ${tag[0].trim()}\n    ${html.slice(at)}`
      },
    },
  }
}

export default defineConfig({
  base: '/',
  plugins: [vue(), selfHostIconFont(), routePreload(), precompress()],
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
