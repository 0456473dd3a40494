namespace FastVideo.Onnx.Runtime.Noise;

/// <summary>
/// The 32-bit Mersenne Twister (MT19937, Matsumoto and Nishimura) with the standard <c>init_genrand</c> seeding,
/// which is what torch's CPU generator runs: only the low 32 bits of a seed reach the state.
/// </summary>
sealed class Mt19937
{
    const int N = 624;
    const int M = 397;
    const uint MatrixA = 0x9908b0df;
    const uint UpperMask = 0x80000000;
    const uint LowerMask = 0x7fffffff;

    readonly uint[] _state = new uint[N];
    int _next;

    public Mt19937(ulong seed)
    {
        _state[0] = (uint)seed;
        for (uint j = 1; j < N; j++) _state[j] = 1812433253u * (_state[j - 1] ^ (_state[j - 1] >> 30)) + j;
        _next = N; // the first draw regenerates the whole state block
    }

    public uint NextUInt32()
    {
        if (_next == N) Twist();
        uint y = _state[_next++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint mixed = (_state[i] & UpperMask) | (_state[(i + 1) % N] & LowerMask);
            uint twisted = (mixed >> 1) ^ ((_state[(i + 1) % N] & 1) != 0 ? MatrixA : 0);
            _state[i] = _state[(i + M) % N] ^ twisted;
        }
        _next = 0;
    }
}
