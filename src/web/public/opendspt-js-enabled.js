// Marks the page as scripted before it is drawn, as nhsuk-frontend's own template does inline; our content
// security policy forbids inline script, so the same line lives in this file.
/* global HTMLScriptElement */
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
