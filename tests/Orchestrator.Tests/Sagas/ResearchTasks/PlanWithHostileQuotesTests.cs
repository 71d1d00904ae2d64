namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>The saga's plan (no bus) for quotes a hostile marketplace could give.</summary>
public sealed class PlanWithHostileQuotesTests
{
    [Fact]
    public void Plans_one_item_of_two_priced_two_billion_and_leaves_the_other_out()
    {
        var task = Task(budget: int.MaxValue);

        task.Plan([new SourceQuote(1, "A", "A", 2_000_000_000, 2), new SourceQuote(2, "B", "B", 2_000_000_000, 1)]);

        Assert.Equal([PurchaseStatus.Planned, PurchaseStatus.NotChosen], task.Purchases.OrderBy(p => p.ItemId).Select(p => p.Status));
        Assert.Equal(NextStep.Pay, task.Continue(DateTime.UtcNow, new DeferralOptions(), due: false));
        Assert.Equal([1], task.PurchasesBeingPaid.Select(p => p.ItemId));
        task.RecordPayments([new PaymentOutcome(1, PaymentResult.Paid)], DateTime.UtcNow);
        Assert.Empty(task.PurchasesBeingPaid);
        Assert.Equal(2_000_000_000, task.Spent);
    }

    [Fact]
    public void Keeps_skipped_items_with_their_reason_and_never_buys_them()
    {
        var task = Task(budget: 50);

        task.Plan([new SourceQuote(1, "A", "A", 10, 1)], [new SkippedSource(2, "B", "B", "the marketplace asked a price of 0"), new SkippedSource(1, "dup", "dup", "ignored")]);

        var skipped = Assert.Single(task.Purchases, p => p.Status == PurchaseStatus.Skipped);
        Assert.Equal(2, skipped.ItemId);
        Assert.Equal(0, skipped.Price);
        Assert.Equal("the marketplace asked a price of 0", skipped.WhyNotBought(task.Budget));
        Assert.Equal(NextStep.Pay, task.Continue(DateTime.UtcNow, new DeferralOptions(), due: false));
        Assert.Equal([1], task.PurchasesBeingPaid.Select(p => p.ItemId));
    }

    [Fact]
    public void Cuts_text_that_would_not_fit_its_columns()
    {
        var task = Task(budget: 50);

        task.Plan([new SourceQuote(1, new string('T', 10_000), new string('C', 600), 10, 1)], [new SkippedSource(2, new string('S', 501), "B", new string('R', 9_000))]);

        Assert.All(task.Purchases, p => Assert.InRange(p.Title.Length, 1, ResearchTaskPurchase.MaxTextLength));
        Assert.All(task.Purchases, p => Assert.InRange(p.Company.Length, 1, ResearchTaskPurchase.MaxTextLength));
        Assert.Equal(ResearchTaskPurchase.MaxSkipReasonLength, task.Purchases.Single(p => p.ItemId == 2).SkipReason!.Length);
    }

    static ResearchTaskState Task(long budget) =>
        ResearchTaskState.Accept(Guid.NewGuid(), "theme", budget, "voice", "owner", DateTime.UtcNow);
}
