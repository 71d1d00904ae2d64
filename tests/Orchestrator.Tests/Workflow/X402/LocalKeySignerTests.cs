using Nethereum.Signer.EIP712;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary>The EIP-712 TransferWithAuthorization signature: the one viem (and so @x402/evm) makes, and its signer recoverable.</summary>
public sealed class LocalKeySignerTests
{
    /// <summary>A key for tests only (it holds nothing anywhere).</summary>
    public const string TestKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    public const string TestAddress = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";

    /// <summary>10 USDC on Base Sepolia to the test seller; signed by viem 2.58.8's signTypedData with <see cref="TestKey"/>.</summary>
    static readonly TransferWithAuthorization Sample = new(
        "USDC", "2", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
        TestAddress, "0x5E11e4000000000000000000000000000000a402", 10_000_000, 1796400000, 1796400600,
        "0x0101010101010101010101010101010101010101010101010101010101010101");

    const string SignatureByViem = "0x71504b8f24e52dbd70786a76ba62c260e33a01e3528b65fde6faa186468f375e4801b73d1570def6c1e89dffb455bc05fa4397b6b14a5bf3e229fa80ecf5ad441c";

    [Fact]
    public async Task Signs_what_viem_signs_byte_for_byte()
    {
        var signer = new LocalKeySigner(TestKey);

        var signature = await signer.SignTransferWithAuthorizationAsync(Sample, CancellationToken.None);

        Assert.Equal(TestAddress, signer.Address);
        Assert.Equal(SignatureByViem, signature);
    }

    [Fact]
    public async Task The_signer_is_recovered_from_the_signature_and_the_same_authorization_signs_the_same()
    {
        var signer = new LocalKeySigner(TestKey.TrimStart('0', 'x').PadLeft(64, '0'));
        var other = Sample with { Nonce = "0x" + new string('2', 64) };

        var first = await signer.SignTransferWithAuthorizationAsync(Sample, CancellationToken.None);
        var again = await signer.SignTransferWithAuthorizationAsync(Sample, CancellationToken.None);
        var otherNonce = await signer.SignTransferWithAuthorizationAsync(other, CancellationToken.None);

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherNonce);
        var recover = new Eip712TypedDataSigner();
        Assert.Equal(signer.Address, recover.RecoverFromSignatureV4(LocalKeySigner.TypedData(Sample), first), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(signer.Address, recover.RecoverFromSignatureV4(LocalKeySigner.TypedData(other), otherNonce), StringComparer.OrdinalIgnoreCase);
        // Any other field changed: the signature is no longer this signer's for it.
        Assert.NotEqual(signer.Address, recover.RecoverFromSignatureV4(LocalKeySigner.TypedData(Sample with { Value = 10_000_001 }), first), StringComparer.OrdinalIgnoreCase);
        Assert.NotEqual(signer.Address, recover.RecoverFromSignatureV4(LocalKeySigner.TypedData(Sample with { ChainId = 8453 }), first), StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231")]     // 63 digits
    [InlineData("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318aa")]  // 33 bytes
    [InlineData("zz0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]    // zero
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]    // the curve's order
    public void A_bad_key_is_refused_without_showing_it(string key)
    {
        var refused = Assert.Throws<ArgumentException>(() => new LocalKeySigner(key));

        Assert.False(LocalKeySigner.IsValidKey(key));
        if (key.Length > 2)
            Assert.DoesNotContain(key, refused.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_key_never_shows_and_only_its_own_address_is_signed_for()
    {
        var signer = new LocalKeySigner(TestKey);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            signer.SignTransferWithAuthorizationAsync(Sample with { From = "0x5E11e4000000000000000000000000000000a402" }, CancellationToken.None));
        var badNonce = Assert.Throws<ArgumentException>(() => LocalKeySigner.TypedData(Sample with { Nonce = "0x01" }));

        Assert.Equal($"LocalKeySigner({TestAddress})", signer.ToString());
        foreach (var text in new[] { signer.ToString(), refused.ToString(), badNonce.ToString() })
            Assert.DoesNotContain(TestKey[2..], text, StringComparison.OrdinalIgnoreCase);
    }
}
