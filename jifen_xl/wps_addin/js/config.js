/* Placeholder: `jifen install-wps` overwrites this file in the INSTALLED copy with the service's
 * port and this user's token. The repository never holds a token. */
(function (root) {
  var cfg = {"serviceUrl": "http://127.0.0.1:39800", "token": ""};
  if (typeof module === "object" && module.exports) module.exports = cfg;
  else root.JIFEN_CONFIG = cfg;
})(typeof globalThis !== "undefined" ? globalThis : this);
