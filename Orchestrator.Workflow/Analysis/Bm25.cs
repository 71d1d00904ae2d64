using System.Collections.Frozen;

namespace Orchestrator.Workflow.Analysis;

/// <summary>
/// Okapi BM25 relevance of documents (here: an item's title, company and tags) to a query (the theme), with the
/// candidates themselves as the corpus. Words are lower-cased, split on anything not a letter or digit, and a
/// plural "s" is dropped; stop words and bare numbers do not count.
/// </summary>
public static class Bm25
{
    const double K1 = 1.2;
    const double B = 0.75;

    static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "inc", "is", "it", "its", "of", "on",
        "or", "the", "to", "with", "corp", "co", "ltd",
    ], StringComparer.Ordinal);

    public static IReadOnlyList<double> Score(string query, IReadOnlyList<string> documents)
    {
        var terms = Words(query).Distinct().ToList();
        var tokenized = documents.Select(d => Words(d).ToList()).ToList();
        if (terms.Count == 0 || tokenized.Count == 0)
            return [.. documents.Select(_ => 0.0)];

        var averageLength = Math.Max(tokenized.Average(t => t.Count), 1);
        var idf = terms.ToDictionary(term => term, term =>
        {
            var containing = tokenized.Count(t => t.Contains(term));
            return Math.Log(1 + (tokenized.Count - containing + 0.5) / (containing + 0.5));
        });

        return [.. tokenized.Select(words => terms.Sum(term =>
        {
            var frequency = words.Count(w => w == term);
            return frequency == 0 ? 0 : idf[term] * frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * words.Count / averageLength));
        }))];
    }

    public static IEnumerable<string> Words(string text) =>
        text.ToLowerInvariant()
            .Split((char[])[.. text.Where(c => !char.IsLetterOrDigit(c)).Distinct()], StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1] : word)
            .Where(word => !StopWords.Contains(word) && !word.All(char.IsDigit));
}
