// Passkeys (WebAuthn) for the second step of sign-in and on /account/security. The server sends
// the options (base64url fields) with a signed challenge token and checks the answer; this script
// only converts between JSON and the browser's ArrayBuffers. Without WebAuthn the parts stay hidden.
(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBuffer(s) {
    var bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toText(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf() {
    var field = document.querySelector('input[name="_csrf"]');
    return field ? field.value : "";
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {}),
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw Object.assign(new Error(data.error || "The passkey step failed."), { signIn: data.signIn });
        return data;
      });
    });
  }
  function showError(err) {
    var box = document.getElementById("passkey-error");
    if (err && err.signIn) return location.assign("/login");
    if (box) {
      box.textContent = (err && err.name === "NotAllowedError") ? "The passkey was cancelled or timed out." : (err && err.message) || "The passkey step failed.";
      box.hidden = false;
    }
  }
  function credentialJSON(cred) {
    var r = cred.response, out = { id: cred.id, rawId: toText(cred.rawId), type: cred.type, clientExtensionResults: cred.getClientExtensionResults(), response: {} };
    out.response.clientDataJSON = toText(r.clientDataJSON);
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      if (r.userHandle) out.response.userHandle = toText(r.userHandle);
    }
    return out;
  }

  var login = document.querySelector("[data-passkey-login]");
  if (login) {
    login.hidden = false;
    document.getElementById("passkey-login").addEventListener("click", function () {
      post("/login/second-factor/passkey/options").then(function (data) {
        var o = data.options;
        o.challenge = toBuffer(o.challenge);
        (o.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
        return navigator.credentials.get({ publicKey: o }).then(function (cred) {
          return post("/login/second-factor/passkey", { token: data.token, next: login.getAttribute("data-next"), response: credentialJSON(cred) });
        });
      }).then(function (done) { location.assign(done.redirect); }, showError);
    });
  }

  var register = document.querySelector("[data-passkey-register]");
  if (register) {
    register.hidden = false;
    document.getElementById("passkey-register").addEventListener("click", function () {
      var nextField = document.querySelector('input[name="next"]');
      post("/account/security/passkeys/options").then(function (data) {
        var o = data.options;
        o.challenge = toBuffer(o.challenge);
        o.user.id = toBuffer(o.user.id);
        (o.excludeCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
        return navigator.credentials.create({ publicKey: o }).then(function (cred) {
          return post("/account/security/passkeys", {
            token: data.token,
            name: document.getElementById("passkey-name").value,
            next: nextField ? nextField.value : "",
            response: credentialJSON(cred),
          });
        });
      }).then(function (done) { location.assign(done.redirect); }, showError);
    });
  }
})();
