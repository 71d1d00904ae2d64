namespace Orchestrator.Tests.Sagas.ResearchTasks;

public sealed class PurchasePlannerTests
{
    [Fact]
    public void Equals_a_brute_force_optimum_on_small_random_catalogs_and_never_exceeds_the_budget()
    {
        var random = new Random(20261125);
        for (var round = 0; round < 400; round++)
        {
            var quotes = RandomQuotes(random, count: random.Next(0, 11));
            var budget = random.Next(0, 60);

            var chosen = PurchasePlanner.Choose(quotes, budget);

            var cost = quotes.Where(q => chosen.Contains(q.ItemId)).Sum(q => q.Price);
            var score = quotes.Where(q => chosen.Contains(q.ItemId)).Sum(q => q.Score);
            Assert.InRange(cost, 0, budget);
            Assert.Equal(BestScore(quotes, budget), score, precision: 9);
        }
    }

    [Fact]
    public void Gives_the_same_plan_whatever_the_order_of_the_quotes()
    {
        var random = new Random(7);
        for (var round = 0; round < 100; round++)
        {
            var quotes = RandomQuotes(random, count: 8, scores: [1, 2, 3]);
            var budget = random.Next(5, 50);

            var plan = PurchasePlanner.Choose(quotes, budget);

            Assert.Equal(plan, PurchasePlanner.Choose([.. quotes.OrderBy(_ => random.Next())], budget));
        }
    }

    [Fact]
    public void Prefers_the_cheaper_of_two_equally_relevant_sets_and_never_buys_what_is_not_relevant()
    {
        SourceQuote[] quotes = [Quote(1, price: 6, score: 2), Quote(2, price: 3, score: 1), Quote(3, price: 2, score: 1), Quote(4, price: 1, score: 0)];

        Assert.Equal([2, 3], PurchasePlanner.Choose(quotes, budget: 6));
        Assert.Equal([1, 2, 3], PurchasePlanner.Choose(quotes, budget: 20));
    }

    [Fact]
    public void Takes_two_cheaper_sources_over_one_dear_one_when_together_they_weigh_more()
    {
        SourceQuote[] quotes = [Quote(1, price: 10, score: 5), Quote(2, price: 5, score: 3), Quote(3, price: 5, score: 3)];

        Assert.Equal([2, 3], PurchasePlanner.Choose(quotes, budget: 10));
    }

    [Fact]
    public void Plans_one_of_two_items_priced_two_billion_within_the_largest_budget()
    {
        SourceQuote[] quotes = [Quote(1, price: 2_000_000_000, score: 2), Quote(2, price: 2_000_000_000, score: 1)];

        Assert.Equal([1], PurchasePlanner.Choose(quotes, budget: int.MaxValue));
    }

    [Fact]
    public void Never_sums_past_the_budget_whatever_the_prices()
    {
        SourceQuote[] quotes = [Quote(1, price: long.MaxValue, score: 9), Quote(2, price: long.MaxValue - 1, score: 9), Quote(3, price: 3, score: 1), Quote(4, price: 0, score: 5), Quote(5, price: -7, score: 5)];

        Assert.Equal([3], PurchasePlanner.Choose(quotes, budget: int.MaxValue));
        Assert.Equal([2], PurchasePlanner.Choose(quotes.Take(2), budget: long.MaxValue));
    }

    static double BestScore(List<SourceQuote> quotes, int budget)
    {
        var best = 0.0;
        for (var mask = 0; mask < 1 << quotes.Count; mask++)
        {
            var subset = quotes.Where((_, i) => (mask & (1 << i)) != 0).ToList();
            if (subset.Sum(q => q.Price) <= budget)
                best = Math.Max(best, subset.Where(q => q.Score > 0).Sum(q => q.Score));
        }

        return best;
    }

    static List<SourceQuote> RandomQuotes(Random random, int count, double[]? scores = null) =>
        [.. Enumerable.Range(1, count).Select(id => Quote(id, random.Next(1, 25), scores?[random.Next(scores.Length)] ?? Math.Round(random.NextDouble() * 5, 3)))];

    static SourceQuote Quote(int id, long price, double score) => new(id, $"Item {id}", "Company", price, score);
}
