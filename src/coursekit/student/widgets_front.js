// coursekit's form controls in the browser: plain HTML that screen readers and keyboards know.
//
// Loaded by anywidget (no build step). Python holds every value and all the logic
// (coursekit/student/widgets_front.py); this file only draws a control and sends back
// what the student chose or typed. One module for every kind of control:
//
//   choice  one rating item: native radio buttons sharing a name inside role=radiogroup,
//           named by the item's statement, so Tab reaches the item once and the arrow keys
//           move the answer within it (the browser's own radio behaviour)
//   text    a text box (or text area) whose <label> is the question itself
//   status  a polite live region: "Saved at ...", "Unsaved changes ..."
//   alert   an assertive live region for errors; always in the page, empty when all is well
//   button  a native button (Enter and Space press it)
//
// data-lm-suppress-shortcuts tells JupyterLab (Lumino) not to run its notebook shortcuts for
// keys pressed in the control: in command mode the arrow keys would otherwise move to another
// cell or fold a section away, and Enter would open a cell's editor. Lumino looks for it from
// the focused element up, and the notebook's shortcuts match the focused element itself
// (".jp-Notebook.jp-mod-commandMode :focus"), so every focusable element carries it.
//
// A statement or an option label is shown once and names its group or radio button through
// aria-labelledby; the shown text itself is aria-hidden, so that a screen reader reads it once,
// as the name, and not a second time as loose text.

let counter = 0;

function uid() {
  counter += 1;
  return `coursekit-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

function make(tag, attributes = {}, text = "") {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, value);
  }
  if (text) element.textContent = text;
  return element;
}

function keepKeys(element) {
  element.setAttribute("data-lm-suppress-shortcuts", "true");
}

function statementOf(model, id) {
  // "3." and the statement, shown once; the group (or box) takes its name from here.
  const statement = make("div", { class: "ck-statement", id, "aria-hidden": "true" });
  const number = model.get("number");
  if (number) statement.append(make("span", { class: "ck-number" }, number), " ");
  statement.append(make("span", { class: "ck-text" }, model.get("text")));
  if (model.get("optional")) statement.append(" ", make("span", { class: "ck-optional" }, "(optional)"));
  return statement;
}

function helpOf(model, id) {
  const help = model.get("help");
  return help ? make("div", { class: "ck-help", id }, help) : null;
}

function renderChoice(model, el) {
  const id = uid();
  el.classList.add("ck-control", "ck-choice");
  const help = helpOf(model, `${id}-help`);
  const poles = model.get("poles") || [];
  const described = [help && help.id, poles.length ? `${id}-low ${id}-high` : null].filter(Boolean);
  const group = make("div", {
    role: "radiogroup", class: poles.length ? "ck-options ck-bipolar" : "ck-options",
    "aria-labelledby": `${id}-statement`,
    "aria-describedby": described.length ? described.join(" ") : null,
  });
  keepKeys(group);
  const labels = model.get("labels");
  const names = model.get("names") || [];
  const inputs = labels.map((label, index) => {
    // the label names the radio button; where it alone says little, a longer name that starts
    // with it ("1: the first statement, completely")
    const input = make("input", {
      type: "radio", name: id, value: String(index), id: `${id}-${index}`,
      "aria-labelledby": names[index] ? null : `${id}-${index}-label`, "aria-label": names[index] || null,
    });
    keepKeys(input);
    const shown = make("span", { id: `${id}-${index}-label`, "aria-hidden": "true" }, label);
    input.addEventListener("change", () => {
      if (input.checked) {
        model.set("index", index);
        model.save_changes();
      }
    });
    const option = make("label", { class: "ck-option", for: input.id });
    if (index === model.get("extra_from")) option.classList.add("ck-extra");
    option.append(input, shown);
    return [option, input];
  });
  const options = make("div", { class: "ck-points" });
  for (const [option] of inputs) {
    if (!option.classList.contains("ck-extra")) options.append(option);
  }
  if (poles.length) {
    // the two statements at either end of the row, read as the group's description
    group.append(make("div", { class: "ck-pole ck-pole-low", id: `${id}-low` }, poles[0]), options,
                 make("div", { class: "ck-pole ck-pole-high", id: `${id}-high` }, poles[1]));
  } else {
    group.append(options);
  }
  for (const [option] of inputs) {
    if (option.classList.contains("ck-extra")) group.append(option);
  }
  const show = () => {
    const chosen = model.get("index");
    inputs.forEach(([option, input], index) => {
      input.checked = index === chosen;
      option.classList.toggle("ck-checked", index === chosen);
    });
  };
  show();
  model.on("change:index", show);
  el.append(statementOf(model, `${id}-statement`), ...(help ? [help] : []), group);
  return () => model.off("change:index", show);
}

function renderText(model, el) {
  const id = uid();
  el.classList.add("ck-control", "ck-entry");
  const help = helpOf(model, `${id}-help`);
  const error = make("div", { class: "ck-field-error", id: `${id}-error` });
  const multiline = model.get("multiline");
  const box = make(multiline ? "textarea" : "input", {
    id: `${id}-box`, class: "ck-box",
    type: multiline ? null : "text",
    rows: multiline ? String(model.get("rows") || 3) : null,
    inputmode: model.get("inputmode") || null,
    placeholder: model.get("placeholder") || null,
    autocomplete: "off",
    "aria-labelledby": `${id}-statement`,
    "aria-describedby": [help && help.id, error.id].filter(Boolean).join(" "),
  });
  keepKeys(box);
  if (model.get("width")) box.style.width = model.get("width");
  box.value = model.get("value");
  box.addEventListener("input", () => {
    model.set("value", box.value);
    model.save_changes();
  });
  const label = make("label", { for: box.id, class: "ck-label" });
  label.append(statementOf(model, `${id}-statement`));
  const showValue = () => {
    if (box.value !== model.get("value")) box.value = model.get("value");
  };
  const showError = () => {
    const message = model.get("error");
    error.textContent = message;
    if (message) box.setAttribute("aria-invalid", "true");
    else box.removeAttribute("aria-invalid");
  };
  showError();
  model.on("change:value", showValue);
  model.on("change:error", showError);
  el.append(label, ...(help ? [help] : []), box, error);
  return () => {
    model.off("change:value", showValue);
    model.off("change:error", showError);
  };
}

function renderRegion(model, el, role) {
  // The region is in the page from the start and only its text changes, so that screen
  // readers announce each change (a region added together with its text often is not).
  el.classList.add("ck-region");
  const region = make("div", { class: `ck-${role}`, role, "aria-live": role === "alert" ? "assertive" : "polite",
                               "aria-atomic": "true" });
  const show = () => {
    const tone = model.get("tone");
    region.className = `ck-${role}` + (tone ? ` ck-tone-${tone}` : "");
    region.replaceChildren();
    const text = model.get("value");
    if (!text) return;
    if (model.get("lead")) region.append(make("strong", {}, model.get("lead")), " ");
    region.append(make("span", { class: "ck-region-text" }, text));
    if (model.get("detail")) region.append(make("div", { class: "ck-help" }, model.get("detail")));
  };
  show();
  model.on("change", show);
  el.append(region);
  return () => model.off("change", show);
}

function renderButton(model, el) {
  el.classList.add("ck-control", "ck-button-row");
  const button = make("button", { type: "button", class: "ck-button", title: model.get("hint") || null },
                      model.get("label"));
  keepKeys(button);
  button.addEventListener("click", () => model.send({ event: "click" }));
  const show = () => {
    button.textContent = model.get("label");
    button.disabled = model.get("disabled");
  };
  show();
  model.on("change", show);
  el.append(button);
  return () => model.off("change", show);
}

function render({ model, el }) {
  el.classList.add("coursekit-form");
  const kind = model.get("kind");
  if (kind === "choice") return renderChoice(model, el);
  if (kind === "text") return renderText(model, el);
  if (kind === "status" || kind === "alert") return renderRegion(model, el, kind);
  if (kind === "button") return renderButton(model, el);
  el.textContent = `coursekit: unknown control ${kind}`;
  return undefined;
}

export default { render };
