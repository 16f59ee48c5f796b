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
    var lang = read('localStorage', 'yyt.locale') === 'en' ? 'en' : 'zh-CN'
    var refresh = fetch('/api/v1/auth/refresh?include=memberships', {
      method: 'POST',
      credentials: 'same-origin',
      priority: 'high',
      headers: { Accept: 'application/json, application/problem+json', 'Accept-Language': lang },
    })
    window.__yytEarlyRefresh = refresh
    if (location.pathname === '/') homeData(refresh, lang)
  }

  // On the home, the rest of the chain too: as soon as the refresh answers, each community's
  // cycles, then what the home's card of that cycle shows (its topics, meetings, resolutions: the
  // rules of CycleHomeCard.vue). The app takes these answers instead of asking again
  // (takeEarly in src/api/client.ts), within a minute and until it first changes something.
  function homeData(refresh, lang) {
    var early = (window.__yytEarly = {})
    window.__yytEarlyAt = Date.now()
    function get(path, token) {
      // Already asked for by the app (it got there first): not twice.
      if (path in early) return Promise.resolve(null)
      var p = fetch('/api/v1' + path, {
        credentials: 'same-origin',
        headers: {
          Accept: 'application/json, application/problem+json',
          'Accept-Language': lang,
          Authorization: 'Bearer ' + token,
        },
      })
      early[path] = p
      return p.then(function (res) {
        return res.ok ? res.clone().json() : null
      })
    }
    function has(list, x) {
      return list.indexOf(x) >= 0
    }
    refresh
      .then(function (res) {
        return res.ok ? res.clone().json() : null
      })
      .then(function (t) {
        if (!t || !t.access_token || !t.memberships) return
        var seen = {}
        t.memberships.slice(0, 5).forEach(function (m) {
          if (seen[m.community_id]) return
          seen[m.community_id] = true
          get('/communities/' + m.community_id + '/cycles', t.access_token)
            .then(function (page) {
              var items = (page && page.items) || []
              var c = null
              for (var i = 0; m.compound_id && i < items.length && !c; i++) {
                if (items[i].compound_id === m.compound_id) c = items[i]
              }
              c = c || items[0]
              if (!c) return
              var at = '/cycles/' + c.id
              if (c.selected_topic_id) get(at + '/topics', t.access_token)
              if (has(['card_collection', 'round_table'], c.phase)) get(at + '/meetings', t.access_token)
              if (has(['round_table', 'resolved', 'closed'], c.phase)) get(at + '/resolutions', t.access_token)
            })
            .catch(function () {})
        })
      })
      .catch(function () {})
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
