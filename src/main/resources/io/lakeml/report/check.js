// The page's self-check (headless Chromium reads its verdict in the tests): records script errors
// from the start; once loaded, checks that every section has its heading and that as many charts
// were drawn as the page says, and writes the verdict into the DOM. Nothing else depends on scripts.
var reportErrors = [];
window.onerror = function (m, s, l) { reportErrors.push(String(m) + ' (line ' + l + ')'); };
window.addEventListener('load', function () {
  var want = JSON.parse(document.body.getAttribute('data-sections'));
  var missing = want.filter(function (id) {
    var e = document.getElementById(id);
    return !e || e.tagName !== 'SECTION' || !e.querySelector('h2');
  });
  var charts = document.querySelectorAll('svg.chart').length, expected = +document.body.getAttribute('data-charts');
  if (charts !== expected) { reportErrors.push('charts: ' + charts + ' drawn, ' + expected + ' expected'); }
  var ok = missing.length === 0 && reportErrors.length === 0;
  document.body.setAttribute('data-report-ok', String(ok));
  document.getElementById('report-check').textContent = ok
    ? 'page check: all ' + want.length + ' sections and ' + charts + ' charts present'
    : 'page check FAILED: missing ' + JSON.stringify(missing) + ' errors ' + JSON.stringify(reportErrors);
});
