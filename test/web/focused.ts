import type { Page } from "playwright-core";

/**
 * The focused element as a person would name it: its tag and its label (a form control's), its
 * `aria-label` or its text, with runs of white space as one space; "nothing (the page)" when focus is on no
 * element. What the keyboard tests compare where focus went.
 */
export async function focused(page: Page): Promise<string> {
  return (await page.evaluate(`(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "nothing (the page)";
    const label = element.labels?.[0]?.textContent?.trim() || element.getAttribute("aria-label") || element.textContent.trim();
    return (element.tagName.toLowerCase() + " " + label.replace(/\\s+/g, " ")).trim();
  })()`)) as string;
}
