/**
 * The dashboard's one optional script: every page works without it. It submits filter forms when a select or
 * date changes (saving a click) and asks before destructive posts. Served from /assets, so a strict
 * Content-Security-Policy (script-src 'self') needs no inline script or handler.
 */
export const ENHANCE_JS = `
document.addEventListener('change', function (e) {
  var el = e.target;
  var form = el && el.form;
  if (form && form.hasAttribute('data-autosubmit') && el.type !== 'text') form.requestSubmit();
});
document.addEventListener('submit', function (e) {
  var btn = e.submitter || e.target.querySelector('[data-confirm]');
  var msg = (btn && btn.getAttribute('data-confirm')) || e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
});
`;
