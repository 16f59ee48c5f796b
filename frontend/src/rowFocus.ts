// A form row (Vant's Field) is drawn as one tall row, but only its text box
// takes the focus: a tap on the row's padding, its word counter or the space
// beside the box would do nothing. This makes a tap anywhere on the row that
// is not on a control of its own focus the row's text box, so the whole row
// is the target (at least 60 px tall in 长辈版).

const CONTROLS = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'LABEL'])

function onControl(from: Element, row: Element): boolean {
  for (let el: Element | null = from; el && el !== row; el = el.parentElement) {
    if (CONTROLS.has(el.tagName) || el.hasAttribute('role') || el.hasAttribute('tabindex')) return true
  }
  return false
}

export function installRowFocus(doc: Document = document): void {
  doc.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null
    const row = target?.closest('.van-field')
    if (!target || !row || onControl(target, row) || row.matches('[role], [tabindex]')) return
    const box = row.querySelector<HTMLInputElement | HTMLTextAreaElement>('input.van-field__control, textarea.van-field__control')
    if (!box || box.readOnly || box.disabled || doc.activeElement === box) return
    box.focus()
  })
}
