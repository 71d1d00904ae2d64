using Orchestrator.Simulators;
using Orchestrator.Tests.Workflow.Marketplace;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Discovery;

namespace Orchestrator.Tests.Workflow.Hosting;

public sealed class ResearchClientRetriesTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    public async Task MAX_RETRIES_retries_a_failing_call_that_many_times_and_zero_means_one_attempt(int maxRetries, int attempts)
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.None, maxRetries, httpTimeout: 10);
        clients.Simulators.Behaviour.FailureRateBeforeEffect = 1;

        var failure = await Assert.ThrowsAsync<ResearchStepException>(() =>
            clients.Get<SourceDiscovery>().DiscoverAsync("Tesla Inc financial performance 2023", CancellationToken.None));

        Assert.Contains("HTTP 500", failure.Message, StringComparison.Ordinal);
        Assert.Equal(attempts, clients.Simulators.Behaviour.RequestsTo("/catalog"));
    }

    [Fact]
    public async Task MAX_RETRIES_zero_still_completes_a_call_that_succeeds()
    {
        await using var clients = await HostileMarketplaceClients.StartAsync(Hostility.None, maxRetries: 0);

        var found = await clients.Get<SourceDiscovery>().DiscoverAsync("Tesla Inc financial performance 2023", CancellationToken.None);

        Assert.NotEmpty(found.Quotes);
        Assert.Empty(found.Skipped);
    }
}
