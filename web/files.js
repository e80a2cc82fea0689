// Files in and out: model save / load, the link, CSV files and their options.
// Files go to the worker unread (size checked first); downloads come back as text.
import { CSV_LIMIT_BYTES, MODEL_LIMIT_BYTES, checkSize } from './csv.js';

const $ = (id) => document.getElementById(id);

/** a text the worker wrote, saved under a name */
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * save(format): the worker writes the model; loadModel(file); csvChosen(file)
 * or csvRefused(message) for a file over the limit; csvOptions(keepLabel): the
 * delimiter, label column or task changed; onError(message)
 */
export function bindFiles({ save, loadModel, csvChosen, csvRefused, csvOptions, onError }) {
  $('save').addEventListener('click', () => save('json'));
  $('save-pytorch').addEventListener('click', () => save('pytorch'));
  $('load').addEventListener('change', () => {
    const file = $('load').files[0];
    $('load').value = '';
    if (!file) return;
    try {
      checkSize('Model file', file.name, file.size, MODEL_LIMIT_BYTES);
    } catch (err) {
      return onError(`Load model: ${err.message}`);
    }
    loadModel(file);
  });
  $('share').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $('share').textContent = 'Link copied';
    } catch {
      prompt('Copy this link:', location.href);
    }
  });
  $('csv-file').addEventListener('change', () => {
    const file = $('csv-file').files[0];
    if (!file) return;
    try {
      checkSize('CSV file', file.name, file.size, CSV_LIMIT_BYTES);
    } catch (err) {
      return csvRefused(err.message);
    }
    $('csv-column').replaceChildren();
    csvChosen(file);
  });
  $('csv-delimiter').addEventListener('change', () => {
    $('csv-column').replaceChildren(); // other columns: the label defaults to the last again
    csvOptions(false);
  });
  $('csv-column').addEventListener('change', () => csvOptions(true));
  $('csv-task').addEventListener('change', () => csvOptions(true));
}
