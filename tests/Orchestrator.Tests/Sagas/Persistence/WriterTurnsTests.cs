namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>The order in which a SQLite file's writers get their turns.</summary>
public sealed class WriterTurnsTests : IDisposable
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    readonly WriterTurns _turns = new();
    readonly List<string> _order = [];
    readonly SemaphoreSlim _taken = new(0);

    [Fact]
    public async Task Queued_writers_take_their_turns_first_come_first_served()
    {
        Assert.True(_turns.TryTake());
        var waiting = new[] { Queue("first"), Queue("second"), Queue("third") };

        await ReleaseAllAsync(waiting);

        Assert.Equal(["first", "second", "third"], _order);
    }

    [Fact]
    public async Task A_writer_ahead_takes_the_next_turn_before_the_queued_ones()
    {
        Assert.True(_turns.TryTake());
        var waiting = new[] { Queue("queued 1"), Queue("queued 2"), Queue("ahead", ahead: true) };

        await ReleaseAllAsync(waiting);

        Assert.Equal(["ahead", "queued 1", "queued 2"], _order);
    }

    [Fact]
    public async Task Writers_ahead_never_take_two_turns_in_a_row_while_the_queue_waits()
    {
        Assert.True(_turns.TryTake());
        var waiting = new[] { Queue("queued 1"), Queue("queued 2"), Queue("ahead 1", ahead: true), Queue("ahead 2", ahead: true) };

        await ReleaseAllAsync(waiting);

        Assert.Equal(["ahead 1", "queued 1", "ahead 2", "queued 2"], _order);
    }

    [Fact]
    public async Task A_writer_whose_wait_times_out_leaves_the_queue()
    {
        Assert.True(_turns.TryTake());

        Assert.False(await _turns.TakeAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.False(_turns.Take(TimeSpan.FromMilliseconds(50)));
        _turns.Release();

        Assert.True(_turns.TryTake());
    }

    [Fact]
    public async Task A_cancelled_writer_leaves_the_queue_and_the_next_one_gets_the_turn()
    {
        Assert.True(_turns.TryTake());
        using var cancel = new CancellationTokenSource();
        var cancelled = _turns.TakeAsync(Long, cancel.Token);
        var next = Queue("next");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await ReleaseAllAsync([next]);

        Assert.Equal(["next"], _order);
        Assert.True(_turns.TryTake());
    }

    public void Dispose() => _taken.Dispose();

    Task Queue(string name, bool ahead = false)
    {
        using (ahead ? WriterTurns.Ahead() : null)
        {
            return TakeAsync();
        }

        async Task TakeAsync()
        {
            // Not on the test framework's context: its few threads may be busy with other tests.
            Assert.True(await _turns.TakeAsync(Long, CancellationToken.None).ConfigureAwait(false));
            lock (_order)
                _order.Add(name);
            _taken.Release();
        }
    }

    /// <summary>Gives the turn on until every writer has had it.</summary>
    async Task ReleaseAllAsync(Task[] waiting)
    {
        for (var i = 0; i < waiting.Length; i++)
        {
            _turns.Release();
            // Exactly one writer takes each turn given: the next is given only once it has.
            Assert.True(await _taken.WaitAsync(Long).ConfigureAwait(false));
            Assert.False(await _taken.WaitAsync(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false));
            Assert.Equal(i + 1, _order.Count);
        }

        _turns.Release();
        await Task.WhenAll(waiting).WaitAsync(Long).ConfigureAwait(false);
    }
}
