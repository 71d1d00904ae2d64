using System.Diagnostics;
using Orchestrator.Simulators;
using Orchestrator.Tests.Workflow.Marketplace;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Discovery;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Tests.Workflow.Discovery;

/// <summary>Discovery through the production clients, against the simulators in a hostile mode.</summary>
public sealed class SourceDiscoveryFromAHostileMarketplaceTests
{
    const string Theme = "Tesla Inc financial performance 2023";

    [Fact]
    public async Task Skips_each_item_with_a_bad_price_with_its_reason_and_quotes_the_others()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.BadPrices);

        var found = await clients.Get<SourceDiscovery>().DiscoverAsync("Tesla Ford BYD electric vehicles automotive", CancellationToken.None);

        Assert.Equal([1, 2, 3, 4, 5], found.Skipped.Select(s => s.ItemId).Order());
        Assert.Contains("price of 0,", Reason(found, 1), StringComparison.Ordinal);
        Assert.Contains("price of -5,", Reason(found, 2), StringComparison.Ordinal);
        Assert.Contains("price of 1.5,", Reason(found, 3), StringComparison.Ordinal);
        Assert.Contains("402 without a JSON price", Reason(found, 4), StringComparison.Ordinal);
        Assert.Contains("402 without a JSON price", Reason(found, 5), StringComparison.Ordinal);
        Assert.NotEmpty(found.Quotes);
        Assert.All(found.Quotes, q => Assert.True(q.Price > 0 && q.ItemId % 6 == 0, $"item {q.ItemId} at {q.Price}"));
    }

    [Fact]
    public async Task Skips_an_item_answered_200_without_payment()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.PaidWithoutPayment);

        var found = await clients.Get<SourceDiscovery>().DiscoverAsync(Theme, CancellationToken.None);

        Assert.NotEmpty(found.Skipped);
        Assert.All(found.Skipped, s => Assert.True(s.ItemId % 2 == 0 && s.Reason.Contains("200 without payment", StringComparison.Ordinal), s.ToString()));
        Assert.All(found.Quotes, q => Assert.True(q.ItemId % 2 == 1, q.ToString()));
    }

    [Fact]
    public async Task Cleans_titles_companies_and_tags_and_cuts_them_to_their_columns()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.ControlCharacters);

        var found = await clients.Get<SourceDiscovery>().DiscoverAsync(Theme, CancellationToken.None);

        Assert.NotEmpty(found.Quotes);
        foreach (var text in found.Quotes.SelectMany(q => new[] { q.Title, q.Company }))
        {
            Assert.InRange(text.Length, 1, UntrustedText.MaxTitleLength);
            Assert.DoesNotContain(text, char.IsControl);
            Assert.DoesNotContain('\u202e', text);
        }

        Assert.Contains(found.Quotes, q => q.Title.Length == UntrustedText.MaxTitleLength && q.Title.EndsWith('…'));
    }

    [Fact]
    public async Task Keeps_the_one_sound_item_of_two_priced_at_two_billion_each()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.HugePrices);

        var found = await clients.Get<SourceDiscovery>().DiscoverAsync(Theme, CancellationToken.None);

        Assert.Equal([2_000_000_000L, 2_000_000_000L], found.Quotes.Select(q => q.Price));
    }

    [Fact]
    public async Task Fails_within_the_attempts_deadlines_when_the_catalog_trickles()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.TrickleCatalog, maxRetries: 1, httpTimeout: 0.5);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<ResearchStepException>(() => clients.Get<SourceDiscovery>().DiscoverAsync(Theme, CancellationToken.None));

        Assert.Equal(ErrorTypes.DataError, failure.ErrorType);
        Assert.Contains("timed out", failure.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(2, clients.Simulators.Behaviour.RequestsTo("/catalog"));
    }

    [Fact]
    public async Task Fails_as_a_transport_failure_only_when_every_price_request_hangs()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.TricklePrice, maxRetries: 0, httpTimeout: 0.5);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<ResearchStepException>(() => clients.Get<SourceDiscovery>().DiscoverAsync(Theme, CancellationToken.None));

        Assert.True(failure.Transient);
        Assert.Contains("timed out", failure.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    static string Reason(SourceDiscovery.Result found, int itemId) => found.Skipped.Single(s => s.ItemId == itemId).Reason;
}
