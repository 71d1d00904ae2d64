using Orchestrator.Simulators;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Tests.Workflow.Marketplace;

/// <summary>Fetching a paid item through the production clients, against the simulators in a hostile mode.</summary>
public sealed class PaidFetchesFromAHostileMarketplaceTests
{
    [Fact]
    public async Task A_redirect_is_a_DataError_and_the_token_goes_nowhere_else()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.RedirectPaidFetch);
        var token = clients.Buy(itemId: 1);

        var failure = await Assert.ThrowsAsync<ResearchStepException>(() => clients.Get<MarketplacePurchases>().FetchAsync(token, 1, CancellationToken.None));

        Assert.Equal(ErrorTypes.DataError, failure.ErrorType);
        Assert.Contains("redirect (HTTP 302)", failure.Message, StringComparison.Ordinal);
        Assert.Empty(clients.Simulators.Behaviour.RequestsElsewhere);
        Assert.Equal(1, clients.Simulators.Behaviour.RequestsTo("/company/detail"));
    }

    [Fact]
    public async Task A_body_over_the_cap_is_a_DataError_read_no_further_than_the_cap()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.HugePaidFetch, maxResponseBytes: 64 * 1024);
        var token = clients.Buy(itemId: 1);

        var failure = await Assert.ThrowsAsync<ResearchStepException>(() => clients.Get<MarketplacePurchases>().FetchAsync(token, 1, CancellationToken.None));

        Assert.Equal(ErrorTypes.DataError, failure.ErrorType);
        Assert.Contains("more than 65536 bytes", failure.Message, StringComparison.Ordinal);
        Assert.False(failure.Transient);
    }

    [Fact]
    public async Task Data_comes_back_with_its_strings_cleaned()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.ControlCharacters);
        var token = clients.Buy(itemId: 1);

        var read = await clients.Get<MarketplacePurchases>().FetchAsync(token, 1, CancellationToken.None);

        Assert.NotNull(read);
        var data = read.Value.Data;
        Assert.DoesNotContain("\\u00", data, StringComparison.Ordinal);
        Assert.DoesNotContain(data, char.IsControl);
        Assert.Contains("Tesla grew revenue", data, StringComparison.Ordinal);
    }
}
