// Runs inside the dashboard's page (the test reads this file and evaluates it there, which the page's CSP
// does not block): WCAG 2 contrast of what the page shows now. Plain JavaScript with the DOM's types, which
// the tests' TypeScript does not have.

/**
 * Every visible text (1.4.3: 4.5:1, large text 3:1) and every enabled control's outline against what is
 * behind it (1.4.11: 3:1), as `{ checked, failures }`: how many things were measured, and one line per
 * element below its minimum, naming it.
 */
// biome-ignore lint/correctness/noUnusedVariables: called by the test, in the page
function auditContrast() {
  const failures = [];
  let checked = 0;
  const seen = new Set();

  for (const element of textElements()) {
    if (seen.has(element)) continue;
    seen.add(element);
    checked += 1;
    const style = getComputedStyle(element);
    const failure = textFailure(element, style.color, style, "text");
    if (failure) failures.push(failure);
  }
  for (const control of document.querySelectorAll("input, textarea, select")) {
    if (!shown(control) || inactive(control) || ["checkbox", "radio", "hidden"].includes(control.type)) continue;
    checked += 1;
    const style = getComputedStyle(control);
    const placeholder = control.placeholder && !control.value ? getComputedStyle(control, "::placeholder") : null;
    const failure = placeholder
      ? textFailure(control, placeholder.color, style, "placeholder")
      : control.value
        ? textFailure(control, style.color, style, "typed text")
        : null;
    if (failure) failures.push(failure);
  }
  for (const control of document.querySelectorAll("button, input, textarea, select")) {
    if (!shown(control) || inactive(control) || ["checkbox", "radio", "hidden"].includes(control.type)) continue;
    checked += 1;
    const failure = outlineFailure(control);
    if (failure) failures.push(failure);
  }
  return { checked, failures };
}

/**
 * The focused element's focus ring against what it is drawn on (1.4.11: 3:1): outside the element with a
 * positive offset, inside it with a negative one. `null` when it passes or nothing is focused.
 */
// biome-ignore lint/correctness/noUnusedVariables: called by the test, in the page
function auditFocusRing() {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  if (style.outlineStyle === "none" || Number.parseFloat(style.outlineWidth) === 0)
    return style.boxShadow === "none" ? `${nameOf(element)}: no focus ring` : null;
  const inside = Number.parseFloat(style.outlineOffset) + Number.parseFloat(style.outlineWidth) <= 0;
  const behind = inside ? backgroundOf(element) : backgroundOf(element.parentElement);
  const ring = over(parseColor(style.outlineColor), behind);
  const ratio = contrast(ring, behind);
  return ratio >= 3 ? null : `${nameOf(element)}: focus ring ${describe(ring, behind, ratio)}, needs 3`;
}

/** Elements with a text node of their own that is drawn on screen (not hidden, clipped away or empty). */
function textElements() {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || !node.data.trim() || /^(SCRIPT|STYLE|NOSCRIPT|TEXTAREA|OPTION)$/.test(element.tagName)) continue;
    if (inactive(element) || getComputedStyle(element).visibility !== "visible") continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if ([...range.getClientRects()].some((rect) => rect.width > 1 && rect.height > 1)) found.push(element);
  }
  return found;
}

/** The text's colour (with the element's opacity) against its background, or why it is too little. */
function textFailure(element, color, style, what) {
  const behind = backgroundOf(element);
  const ink = over({ ...parseColor(color), a: parseColor(color).a * opacityOf(element) }, behind);
  const ratio = contrast(ink, behind);
  const size = Number.parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  const needed = large ? 3 : 4.5;
  if (ratio >= needed) return null;
  return `${nameOf(element)}: ${what} ${describe(ink, behind, ratio)}, needs ${needed}`;
}

/**
 * A control is told from what surrounds it by its border or by its own background: either must reach 3:1
 * against the background around it. A control with neither (a link-like button) is text only.
 */
function outlineFailure(control) {
  const style = getComputedStyle(control);
  const around = backgroundOf(control.parentElement);
  const fill = over(parseColor(style.backgroundColor), around);
  const hasBorder = style.borderTopStyle !== "none" && Number.parseFloat(style.borderTopWidth) > 0;
  const border = hasBorder ? over(parseColor(style.borderTopColor), fill) : fill;
  if (!hasBorder && parseColor(style.backgroundColor).a === 0) return null;
  const ratio = Math.max(contrast(border, around), contrast(fill, around));
  if (ratio >= 3) return null;
  return `${nameOf(control)}: border ${describe(border, around, contrast(border, around))}, needs 3`;
}

/** Whether the element takes up room on screen. */
function shown(element) {
  const box = element.getBoundingClientRect();
  return box.width > 1 && box.height > 1 && getComputedStyle(element).visibility === "visible";
}

/** Disabled controls are exempt from contrast minimums (WCAG's "inactive user interface component"). */
function inactive(element) {
  return Boolean(
    element.closest("button:disabled, input:disabled, textarea:disabled, select:disabled, fieldset:disabled"),
  );
}

/** The opaque colour behind `element`: its own and its ancestors' backgrounds, blended up from the first opaque one. */
function backgroundOf(element) {
  const layers = [];
  for (let at = element; at; at = at.parentElement) {
    const color = parseColor(getComputedStyle(at).backgroundColor);
    if (color.a > 0) layers.push(color);
    if (color.a >= 1) break;
  }
  const canvas = matchMedia("(prefers-color-scheme: dark)").matches
    ? { r: 18, g: 18, b: 18, a: 1 }
    : { r: 255, g: 255, b: 255, a: 1 };
  return layers.reverse().reduce((below, layer) => over(layer, below), canvas);
}

/** The product of the element's and its ancestors' opacity. */
function opacityOf(element) {
  let opacity = 1;
  for (let at = element; at; at = at.parentElement) opacity *= Number(getComputedStyle(at).opacity);
  return opacity;
}

/** `top` blended over an opaque `below`. */
function over(top, below) {
  const blend = (channel) => top[channel] * top.a + below[channel] * (1 - top.a);
  return { r: blend("r"), g: blend("g"), b: blend("b"), a: 1 };
}

/** A computed colour (`rgb(…)`, `rgba(…)` or `color(srgb …)`) as 0–255 channels and 0–1 alpha. */
function parseColor(value) {
  const numbers = (value.match(/[\d.]+(e-?\d+)?/g) ?? []).map(Number);
  if (value.startsWith("color(srgb")) {
    const [r = 0, g = 0, b = 0, a = 1] = numbers;
    return { r: r * 255, g: g * 255, b: b * 255, a };
  }
  if (value.startsWith("rgb")) {
    const [r = 0, g = 0, b = 0, a = 1] = numbers;
    return { r, g, b, a };
  }
  throw new Error(`a colour this audit cannot read: ${value}`);
}

/** WCAG 2's contrast ratio of two opaque colours. */
function contrast(one, two) {
  const [light, dark] = [luminance(one), luminance(two)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

function luminance({ r, g, b }) {
  const linear = (channel) => {
    const value = channel / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

function describe(ink, behind, ratio) {
  return `${hex(ink)} on ${hex(behind)} is ${ratio.toFixed(2)}:1`;
}

function hex({ r, g, b }) {
  return `#${[r, g, b].map((channel) => Math.round(channel).toString(16).padStart(2, "0")).join("")}`;
}

/** The element as a person finds it: tag, classes, its parent's, and the start of its text. */
function nameOf(element) {
  const part = (at) =>
    at.tagName.toLowerCase() + [...at.classList].map((name) => `.${name}`).join("") + (at.id ? `#${at.id}` : "");
  const text = (element.textContent || element.getAttribute("aria-label") || element.placeholder || "").trim();
  const parent =
    element.parentElement && element.parentElement !== document.body ? `${part(element.parentElement)} > ` : "";
  return `${parent}${part(element)} "${text.replace(/\s+/g, " ").slice(0, 40)}"`;
}
