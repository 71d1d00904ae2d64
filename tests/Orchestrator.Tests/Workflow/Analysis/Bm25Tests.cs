using Orchestrator.Workflow.Analysis;

namespace Orchestrator.Tests.Workflow.Analysis;

public sealed class Bm25Tests
{
    [Fact]
    public void Ranks_the_documents_that_share_the_themes_rarer_words_first()
    {
        string[] documents =
        [
            "Ford Motor results and EV losses 2023 Ford Motor Co ford automotive ev financials",
            "Tesla Inc financial statements 2023 Tesla Inc tesla automotive ev financials earnings",
            "Global semiconductor foundry capacity TSMC chips foundry",
        ];

        var scores = Bm25.Score("Tesla Inc financial performance 2023", documents);

        Assert.True(scores[1] > scores[0]);
        Assert.Equal(0, scores[2]);
    }

    [Fact]
    public void Stop_words_numbers_and_plurals_do_not_count_twice()
    {
        Assert.Equal(["tesla", "vehicle"], Bm25.Words("The Tesla vehicles of 2023 and"));
        Assert.All(Bm25.Score("the of and 2023", ["the of and 2023"]), score => Assert.Equal(0, score));
    }
}
