// The page's first script, a few hundred bytes that arrive before the app's bundle (a plain file
// in public/, so the build leaves it out of the bundle): when this tab has no access token but the
// browser was logged in, it sends the session refresh at once, with the memberships
// (POST /auth/refresh?include=memberships), so the answer is usually there by the time the app
// starts instead of being asked for only then (docs/phone.md). The app takes the answer in
// refreshSession (src/api/client.ts); whichever of the two runs first marks the window, so the
// refresh cookie is never presented twice (which would end the session).
;(function () {
  function read(store, key) {
    try {
      return window[store].getItem(key)
    } catch (e) {
      return null
    }
  }
  // The refresh first: it is the longest chain (refresh, then the cycles, then the topic).
  if (
    !window.__yytBooted &&
    location.pathname.indexOf('/display/') !== 0 &&
    !read('sessionStorage', 'yyt.access_token') &&
    read('localStorage', 'yyt.session') === '1' &&
    window.fetch
  ) {
    window.__yytBooted = true
    window.__yytEarlyRefresh = fetch('/api/v1/auth/refresh?include=memberships', {
      method: 'POST',
      credentials: 'same-origin',
      priority: 'high',
      headers: {
        Accept: 'application/json, application/problem+json',
        'Accept-Language': read('localStorage', 'yyt.locale') === 'en' ? 'en' : 'zh-CN',
      },
    })
  }
  // On the home and the card form, fetch the view's chunks now (named by the build in
  // index.html), not after the app's entry has run.
  var links = document.querySelectorAll('link[rel="yyt-route"]')
  for (var i = 0; i < links.length; i++) {
    if (!new RegExp(links[i].getAttribute('data-path')).test(location.pathname)) continue
    var l = document.createElement('link')
    var script = links[i].getAttribute('data-as') === 'script'
    l.rel = script ? 'modulepreload' : 'preload'
    if (!script) l.as = 'style'
    l.crossOrigin = ''
    l.href = links[i].getAttribute('href')
    document.head.appendChild(l)
  }
})()
