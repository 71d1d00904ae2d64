using Npgsql;

namespace Orchestrator.Tests.Sagas.Persistence;

public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void A_connection_string_that_says_nothing_gets_statements_prepared_and_no_reset()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply("Host=db;Database=orchestrator;Username=app;Password=secret"));

        Assert.Equal((PostgresConnectionDefaults.MaxAutoPrepare, true), (applied.MaxAutoPrepare, applied.NoResetOnClose));
        Assert.Equal(("db", "orchestrator", "app", "secret"), (applied.Host, applied.Database, applied.Username, applied.Password));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;max auto prepare=0;NO RESET ON CLOSE=false")]
    public void What_the_connection_string_says_is_kept(string connectionString)
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply(connectionString));

        Assert.Equal((0, false), (applied.MaxAutoPrepare, applied.NoResetOnClose));
    }
}
