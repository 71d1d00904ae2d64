using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orchestrator.Workflow.Analysis;
using Orchestrator.Workflow.Hosting;

namespace Orchestrator.Tests.Workflow.Analysis;

/// <summary>The chat model path, through the production registration and OpenAI adapter, against a real HTTP stub.</summary>
public sealed class ResearchAnalystTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";

    static readonly ResearchAnalyst.Candidate[] Candidates =
    [
        new(1, "Tesla Inc financial statements 2023", "Tesla Inc", ["tesla", "financials"]),
        new(5, "Ford Motor results and EV losses 2023", "Ford Motor Co", ["ford", "ev"]),
        new(9, "Semiconductor foundry capacity", "Chip Research", ["chips"]),
    ];

    static readonly WriteReport Report = new(Guid.NewGuid(), Theme, 50,
        [new PurchasedSource(1, "Tesla Inc financial statements 2023", "Tesla Inc", 10, """{"summary": "Tesla grew revenue 19%."}""", DateTime.UtcNow)],
        []);

    OpenAiCompatibleStub _model = null!;
    ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _model = await OpenAiCompatibleStub.StartAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:Endpoint"] = _model.Endpoint.ToString(),
            ["Llm:Model"] = "stub-model",
            ["Llm:Timeout"] = "00:00:01",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddResearchClients();
        _services = builder.Services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _model.DisposeAsync();
    }

    ResearchAnalyst Analyst => _services.GetRequiredService<ResearchAnalyst>();

    [Fact]
    public async Task Ranks_with_the_models_ratings_and_summarizes_with_its_text()
    {
        _model.Rate = id => id == 9 ? 9 : 2;
        _model.Summary = "Tesla grew revenue by a fifth in 2023 [1].";

        var scores = await Analyst.RankAsync(Theme, Candidates, CancellationToken.None);
        var summary = await Analyst.SummarizeAsync(Report, CancellationToken.None);

        Assert.Equal([2, 2, 9], scores);
        Assert.Equal("Tesla grew revenue by a fifth in 2023 [1].", summary);
        Assert.Equal(2, _model.Requests);
    }

    [Fact]
    public async Task A_failing_model_falls_back_to_the_built_in_ranking_and_summary()
    {
        _model.Failing = true;

        var scores = await Analyst.RankAsync(Theme, Candidates, CancellationToken.None);
        var summary = await Analyst.SummarizeAsync(Report, CancellationToken.None);

        Assert.Equal(BuiltInScores(), scores);
        Assert.Equal(ResearchAnalyst.BuiltInSummary(Report), summary);
        Assert.True(_model.Requests >= 2);
    }

    [Fact]
    public async Task A_model_slower_than_the_timeout_falls_back_in_time()
    {
        _model.Delay = TimeSpan.FromSeconds(10);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var scores = await Analyst.RankAsync(Theme, Candidates, CancellationToken.None);

        Assert.Equal(BuiltInScores(), scores);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_ranking_that_leaves_out_an_item_is_not_used()
    {
        _model.Rate = id => id == 5 ? null : 7;

        var scores = await Analyst.RankAsync(Theme, Candidates, CancellationToken.None);

        Assert.Equal(BuiltInScores(), scores);
    }

    static IReadOnlyList<double> BuiltInScores() =>
        Bm25.Score(Theme, [.. Candidates.Select(c => $"{c.Title} {c.Company} {string.Join(' ', c.Tags)}")]);
}
