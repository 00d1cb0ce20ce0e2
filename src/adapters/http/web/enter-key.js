// What Enter does in the answer box: on a phone it breaks the line and the Send button sends, as phone chat apps
// do (an on-screen keyboard has no Shift+Enter, and a stray Enter would send half an answer); on a desktop Enter
// sends and Shift+Enter breaks the line.
import { useEffect, useState } from "preact/hooks";

/** A phone, to the answer box: a touch screen as the main pointer, or a screen as narrow as the phone layout's. */
const PHONE = "(pointer: coarse), (max-width: 720px)";

/** Whether Enter breaks the line here (a phone); follows a window resized or turned meanwhile. */
export function useEnterBreaksLine() {
  const [phone, setPhone] = useState(() => matchMedia(PHONE).matches);
  useEffect(() => {
    const query = matchMedia(PHONE);
    const changed = () => setPhone(query.matches);
    changed();
    query.addEventListener("change", changed);
    return () => query.removeEventListener("change", changed);
  }, []);
  return phone;
}
