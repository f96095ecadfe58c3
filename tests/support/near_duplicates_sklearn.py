"""The book's near-duplicate search (ch07/02_dataset-utilities/find-near-duplicates.py) with
scikit-learn, as the reference for `sft-studio dataset FILE --near-duplicates --json`.

    near_duplicates_sklearn.py FILE FIELD THRESHOLD

Prints a JSON list of {"field", "i", "j", "similarity"}: the pairs of entries (positions in the
file, i < j, sorted by i then j) whose FIELD is more similar than THRESHOLD; FIELD "all" lists
instruction, input and output pairs in turn, each over every entry. The one change to the
book's code: it fits only the non-empty texts but indexes the entries with the matrix's row
numbers; here each row is mapped back to its entry. Exits with status 3 when scikit-learn is
missing, 2 when an entry lacks the field.
"""

import json
import re
import sys

try:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity
except ImportError:
    sys.exit(3)


def preprocess_text(text):
    text = text.lower()
    text = re.sub(r'[^\w\s]', '', text)
    return text


def load(path):
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def field_text(item, key):
    if key == "input":
        return item.get(key) or ""
    if key not in item:
        sys.exit(2)
    return item[key]


def find_near_duplicates(json_data, threshold, key):
    rows = [index for index, item in enumerate(json_data) if field_text(item, key)]
    if not rows:
        return []
    text = [preprocess_text(field_text(json_data[index], key)) for index in rows]
    vectorizer = TfidfVectorizer(stop_words=None, analyzer='char', ngram_range=(1, 3))
    tfidf_matrix = vectorizer.fit_transform(text)
    cos_sim_matrix = cosine_similarity(tfidf_matrix)
    pairs = []
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            if cos_sim_matrix[a, b] > threshold:
                i, j = rows[a], rows[b]
                if len(field_text(json_data[i], key)) <= 1 or len(field_text(json_data[j], key)) <= 1:
                    continue
                pairs.append({"field": key, "i": i, "j": j, "similarity": float(cos_sim_matrix[a, b])})
    return pairs


if __name__ == "__main__":
    path, field, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])
    data = load(path)
    keys = ["instruction", "input", "output"] if field == "all" else [field]
    print(json.dumps([pair for key in keys for pair in find_near_duplicates(data, threshold, key)]))
