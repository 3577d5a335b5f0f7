// Works out a CAF outcome's achievement as the user ticks, by the same rule as the server: any not-achieved
// statement true gives Not achieved; every achieved statement true gives Achieved; every partially-achieved
// statement true gives Partially achieved; otherwise Not achieved. Without JavaScript the page still works:
// the level is worked out when the answer is saved.
const form = document.getElementById('outcome-form');
const output = document.getElementById('achievement');
if (form && output) {
  const column = (name) => [...form.querySelectorAll(`[data-column="${name}"] input[type="checkbox"]`)];
  const update = () => {
    const na = column('not-achieved');
    const pa = column('partially-achieved');
    const a = column('achieved');
    let level = 'Not achieved';
    if (na.some((box) => box.checked)) level = 'Not achieved';
    else if (a.length > 0 && a.every((box) => box.checked)) level = 'Achieved';
    else if (pa.length > 0 && pa.every((box) => box.checked)) level = 'Partially achieved';
    output.textContent = level;
  };
  form.addEventListener('change', update);
}
