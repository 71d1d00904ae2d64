using System.Collections.Immutable;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// Chooses the quoted items to buy: the set with the highest total relevance whose prices fit the budget, a 0/1
/// knapsack solved exactly over the frontier of (cost, relevance) pairs that no other set beats. Among equally
/// relevant sets the cheaper wins, then the one with the lower item ids: the same quotes and budget always give
/// the same plan. Items without relevance are never bought.
/// </summary>
public static class PurchasePlanner
{
    const double Tolerance = 1e-9;

    public static ImmutableSortedSet<int> Choose(IEnumerable<SourceQuote> quotes, long budget)
    {
        List<Selection> frontier = [Selection.Empty];
        foreach (var quote in quotes.Where(q => q.Price > 0 && q.Price <= budget && q.Score > 0).DistinctBy(q => q.ItemId).OrderBy(q => q.ItemId))
        {
            var extended = frontier.Where(s => quote.Price <= budget - s.Cost).Select(s => s.With(quote)).ToList();
            frontier = Undominated(frontier.Concat(extended));
        }

        return [.. frontier[^1].Items];
    }

    /// <summary>Keeps, in order of cost, only the sets more relevant than every cheaper (or equal, earlier) one.</summary>
    static List<Selection> Undominated(IEnumerable<Selection> selections)
    {
        List<Selection> kept = [];
        foreach (var selection in selections.OrderBy(s => s.Cost).ThenByDescending(s => s.Score).ThenBy(s => s, IdOrder.Instance))
        {
            if (kept.Count == 0 || selection.Score > kept[^1].Score + Tolerance)
                kept.Add(selection);
        }

        return kept;
    }

    sealed record Selection(long Cost, double Score, ImmutableArray<int> Items)
    {
        public static readonly Selection Empty = new(0, 0, []);

        public Selection With(SourceQuote quote) => new(checked(Cost + quote.Price), Score + quote.Score, Items.Add(quote.ItemId));
    }

    sealed class IdOrder : IComparer<Selection>
    {
        public static readonly IdOrder Instance = new();

        public int Compare(Selection? x, Selection? y)
        {
            var (a, b) = (x!.Items, y!.Items);
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                if (a[i] != b[i])
                    return a[i].CompareTo(b[i]);
            }

            return a.Length.CompareTo(b.Length);
        }
    }
}
