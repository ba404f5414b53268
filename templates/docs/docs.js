// gc-ssf's /docs page: reads /openapi.json and renders, for every endpoint, its inputs as a form
// and a Send button; the answer is shown as JSON, or as an image for a PNG output, with the
// output headers beside it. Everything is served by gc-ssf itself: no network access needed.
"use strict";

(function () {
  const $ = (tag, attrs = {}, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v);
    }
    for (const c of children) el.append(c);
    return el;
  };

  let doc = null;

  function resolve(schema) {
    let s = schema || {};
    while (s && s.$ref) {
      const name = s.$ref.split("/").pop();
      s = (doc.components && doc.components.schemas && doc.components.schemas[name]) || {};
    }
    return s;
  }

  function typeName(schema) {
    if (schema["x-ssf-type"]) return schema["x-ssf-type"];
    if (schema.type === "array") return "list of " + ((schema.items && schema.items.type) || "any");
    return schema.format === "binary" ? "file" : schema.type || "any";
  }

  // One input: what to show and how to read it back as the right JSON type.
  function field(name, schema, example, where) {
    const type = schema.type;
    let input;
    if (where === "file") {
      input = $("input", { type: "file", name });
    } else if (type === "boolean") {
      input = $("select", { name }, $("option", { value: "true", text: "true" }),
                $("option", { value: "false", text: "false" }));
      if (example === false) input.value = "false";
    } else if (type === "integer" || type === "number") {
      input = $("input", { type: "number", name, step: type === "integer" ? "1" : "any" });
      if (example !== undefined && example !== null) input.value = String(example);
    } else {
      input = $("input", { type: "text", name });
      if (type === "array") input.placeholder = "JSON list, or comma-separated values";
      if (example !== undefined && example !== null) {
        input.value = type === "array" ? JSON.stringify(example) : String(example);
      }
    }
    input.dataset.input = name;
    const read = () => {
      if (where === "file") return input.files[0];
      const text = input.value;
      if (type === "boolean") return text === "true";
      if (type === "integer") return text === "" ? text : parseInt(text, 10);
      if (type === "number") return text === "" ? text : parseFloat(text);
      if (type === "array") {
        const trimmed = text.trim();
        if (trimmed.startsWith("[")) {
          try { return JSON.parse(trimmed); } catch (e) { /* sent as typed: the server says why */ }
        }
        const items = trimmed === "" ? [] : trimmed.split(",").map((x) => x.trim());
        const item = (schema.items && schema.items.type) || "string";
        if (item === "integer") return items.map((x) => parseInt(x, 10));
        if (item === "number") return items.map((x) => parseFloat(x));
        if (item === "boolean") return items.map((x) => x === "true");
        return items;
      }
      return text;
    };
    return { name, schema, where, input, read };
  }

  function fieldsOf(op) {
    const fields = [];
    for (const p of op.parameters || []) {
      if (p.in === "query") fields.push(field(p.name, resolve(p.schema), p.example, "query"));
    }
    const content = (op.requestBody && op.requestBody.content) || {};
    if (content["application/json"]) {
      const model = resolve(content["application/json"].schema);
      const example = (model.examples && model.examples[0]) || {};
      for (const [name, s] of Object.entries(model.properties || {})) {
        fields.push(field(name, resolve(s), example[name], "json"));
      }
    }
    if (content["multipart/form-data"]) {
      const model = resolve(content["multipart/form-data"].schema);
      for (const [name, s] of Object.entries(model.properties || {})) {
        fields.push(field(name, resolve(s), undefined, "file"));
      }
    }
    return fields;
  }

  function authHeaders() {
    const headers = {};
    const key = document.getElementById("api-key").value;
    if (key) headers["api_key"] = key;
    return headers;
  }

  async function send(path, method, fields, result, button) {
    const headers = authHeaders();
    const query = new URLSearchParams();
    const json = {};
    let form = null;
    for (const f of fields) {
      const value = f.read();
      if (f.where === "query") {
        for (const v of Array.isArray(value) ? value : [value]) query.append(f.name, String(v));
      } else if (f.where === "json") {
        json[f.name] = value;
      } else if (f.where === "file") {
        form = form || new FormData();
        if (value) form.append(f.name, value, value.name);
      }
    }
    const init = { method, headers, credentials: "same-origin" };
    if (form) {
      init.body = form;
    } else if (fields.some((f) => f.where === "json")) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    const url = path + (query.toString() ? "?" + query.toString() : "");
    result.replaceChildren($("p", { text: "Sending…" }));
    button.disabled = true;
    try {
      const response = await fetch(url, init);
      await show(response, result);
    } catch (e) {
      result.replaceChildren($("p", { class: "status bad", text: "Request failed: " + e }));
    } finally {
      button.disabled = false;
    }
  }

  async function show(response, result) {
    const status = $("p", { class: "status " + (response.ok ? "ok" : "bad"),
                            text: response.status + " " + response.statusText });
    status.dataset.status = String(response.status);
    const parts = [status];
    const type = response.headers.get("content-type") || "";
    const shown = [];
    response.headers.forEach((value, name) => {
      if (!["content-type", "content-length", "date", "server"].includes(name)) {
        shown.push(name + ": " + value);
      }
    });
    if (type.startsWith("image/")) {
      const blob = await response.blob();
      const img = $("img", { alt: "response image", class: "output-image" });
      img.src = URL.createObjectURL(blob);
      parts.push(img);
    } else {
      const text = await response.text();
      let pretty = text;
      try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      parts.push($("pre", { class: "output-body", text: pretty }));
    }
    if (shown.length) parts.push($("pre", { class: "outputs", text: shown.join("\n") }));
    result.replaceChildren(...parts);
  }

  function outputsOf(op) {
    const ok = (op.responses && op.responses["200"]) || {};
    const rows = [];
    for (const [mime, c] of Object.entries(ok.content || {})) {
      const s = resolve(c.schema);
      if (mime === "image/png") rows.push(["(body)", "PngImageBytes", s.description || ""]);
      for (const [name, p] of Object.entries(s.properties || {})) {
        const r = resolve(p);
        rows.push([name, typeName(r), r.description || ""]);
      }
    }
    for (const [name, h] of Object.entries(ok.headers || {})) {
      rows.push([name + " (header)", h["x-ssf-type"] || "string", h.description || ""]);
    }
    return rows;
  }

  function table(head, rows) {
    return $("table", { class: "params" },
             $("thead", {}, $("tr", {}, ...head.map((h) => $("th", { text: h })))),
             $("tbody", {}, ...rows));
  }

  function endpoint(path, method, op) {
    const fields = method === "post" ? fieldsOf(op) : [];
    const id = (method + path).replace(/[^A-Za-z0-9]+/g, "-");
    const section = $("section", { class: "endpoint", id });
    section.dataset.path = path;
    section.append($("h2", {}, $("span", { class: "method " + method, text: method.toUpperCase() }),
                     $("span", { class: "path", text: path }),
                     $("span", { class: "summary", text: op.summary || "" })));
    const body = $("div", { class: "body" });
    if (op.description && op.description.trim()) {
      body.append($("p", { class: "description", text: op.description }));
    }
    if (fields.length) {
      body.append($("h3", { text: "Inputs" }), table(["name", "type", "in", "value"],
        fields.map((f) => $("tr", {}, $("td", {}, $("code", { text: f.name })),
                            $("td", { class: "type", text: typeName(f.schema) }),
                            $("td", { text: f.where === "json" ? "body" : f.where === "file" ? "form" : "query" }),
                            $("td", {}, f.input)))));
    }
    const outputs = method === "post" ? outputsOf(op) : [];
    if (outputs.length) {
      body.append($("h3", { text: "Outputs" }), table(["name", "type", "description"],
        outputs.map((r) => $("tr", {}, $("td", {}, $("code", { text: r[0] })),
                             $("td", { class: "type", text: r[1] }), $("td", { text: r[2] })))));
    }
    const result = $("div", { class: "result" });
    const button = $("button", { class: "send", type: "button", text: "Send" });
    button.addEventListener("click", () => send(path, method.toUpperCase(), fields, result, button));
    body.append(button, result);
    section.append(body);
    return section;
  }

  async function main() {
    const main = document.getElementById("endpoints");
    try {
      const response = await fetch("/openapi.json", { credentials: "same-origin" });
      doc = await response.json();
    } catch (e) {
      main.replaceChildren($("p", { class: "status bad", text: "Cannot read /openapi.json: " + e }));
      return;
    }
    const info = doc.info || {};
    document.title = (info.title || "API") + " - docs";
    document.getElementById("title").textContent = info.title || "API";
    document.getElementById("description").textContent = (info.description || "").trim();
    document.getElementById("version").textContent = "version " + (info.version || "");
    const schemes = (doc.components && doc.components.securitySchemes) || {};
    if (schemes.APIKeyHeader) document.getElementById("auth").hidden = false;
    if (schemes.SessionKeyCookie) document.getElementById("session").hidden = false;
    document.getElementById("auth").addEventListener("submit", (e) => e.preventDefault());

    const sections = [];
    for (const [path, ops] of Object.entries(doc.paths || {})) {
      if (ops.post) sections.push(endpoint(path, "post", ops.post));
    }
    for (const [path, ops] of Object.entries(doc.paths || {})) {
      if (ops.get && !path.startsWith("/session_login")) sections.push(endpoint(path, "get", ops.get));
    }
    main.replaceChildren(...sections);
    document.body.dataset.ready = "true";
  }

  main();
})();
